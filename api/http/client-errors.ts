import crypto from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../../src/errors';
import { API_CSP } from '../middleware/security-headers';
import { envelopeOf } from '../middleware/errors';

/**
 * What Node's HTTP parser refuses before Express sees the request (headers over its 16 KiB limit, a malformed request
 * line or header, headers not received in time) is answered in the error envelope like every other refusal:
 * 400 VALIDATION_ERROR with an X-Request-ID, instead of Node's bare 431, 400 or 408 without a body.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset connection has nobody to answer; a socket already answering a request must not get a second answer.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
    const body = envelopeOf(refusalOf(err));
    socket.end(
      [
        'HTTP/1.1 400 Bad Request',
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-ID: ${crypto.randomUUID()}`,
        'X-Content-Type-Options: nosniff',
        `Content-Security-Policy: ${API_CSP}`,
        'Referrer-Policy: no-referrer',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

function refusalOf(err: NodeJS.ErrnoException): AppError {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new AppError('VALIDATION_ERROR', 'Request headers are too large', {
      fields: [{ field: 'headers', code: 'too_large', message: 'request line and headers too large' }],
      limit_bytes: http.maxHeaderSize,
    });
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new AppError('VALIDATION_ERROR', 'Request not received in time', {
      fields: [{ field: 'request', code: 'timeout', message: 'the request was not received in time' }],
    });
  }
  return new AppError('VALIDATION_ERROR', 'Malformed HTTP request', {
    fields: [{ field: 'request', code: 'malformed_http', message: 'not a well-formed HTTP/1.1 request' }],
  });
}
