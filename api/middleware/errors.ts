import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { AppError } from '../../src/errors';
import { requestLog } from '../http/request-context';
import { sendJson } from '../http/respond';

/** body-parser's failures (and json-body.ts's UTF-8 check), all of them the client's doing. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON body',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset; use UTF-8',
  invalid_utf8: 'Request body is not valid UTF-8',
  'entity.verify.failed': 'Request body could not be verified',
  'request.aborted': 'Request aborted',
  'request.size.invalid': 'Request size did not match Content-Length',
  'stream.encoding.set': 'Invalid request stream',
};

/**
 * The one error mapper: every failure leaves as `{"error":{"code","message","details"}}`, or on the on-ramp's routes in
 * document 003's envelope (errorBodyFor).
 */
export function errorMiddleware() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.status >= 500) requestLog(res)?.error({ err }, 'request failed');
    if (res.headersSent) return void res.end();
    sendJson(res, appError.status, errorBodyFor(req.originalUrl, appError));
  };
}

/** The error envelope, serialised: `{"error":{"code","message","details"}}`. */
export function envelopeOf(appError: AppError): string {
  return JSON.stringify({ error: { code: appError.code, message: appError.message, details: appError.details } });
}

/** The on-ramp's routes (document 003), which answer in its envelope: true for a URL (or route path) under /api/v1/onramp. */
export function answersInOnrampEnvelope(url: string): boolean {
  return /^\/api\/v1\/onramp(\/|\?|$)/.test(url);
}

/**
 * A refusal as the route at `url` answers it: on the on-ramp's routes document 003's `{success: false, message,
 * responseObject: {errorCode, errorMessage, canRetry, details}}` (authentication, scopes, validation and rate limits
 * included, so a client of 003 reads one shape), elsewhere ours. `canRetry`: the same request may succeed later (a
 * rate limit, a fault of ours or a provider's), never for a refusal of the request itself.
 */
export function errorBodyFor(url: string, appError: AppError): string {
  if (!answersInOnrampEnvelope(url)) return envelopeOf(appError);
  return JSON.stringify({
    success: false,
    message: appError.message,
    responseObject: {
      errorCode: appError.code,
      errorMessage: appError.message,
      canRetry: appError.status === 429 || appError.status >= 500,
      details: appError.details,
    },
  });
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const type = (err as { type?: string })?.type;
  if (type && BODY_ERRORS[type]) {
    const limit = (err as { limit?: number }).limit;
    return new AppError('VALIDATION_ERROR', BODY_ERRORS[type], {
      fields: [{ field: 'body', code: type, message: BODY_ERRORS[type] }],
      ...(limit ? { limit_bytes: limit } : {}),
    });
  }
  if (err instanceof URIError || (err as { status?: number })?.status === 400) {
    return new AppError('VALIDATION_ERROR', 'Malformed request URL', {
      fields: [{ field: 'path', code: 'malformed_url', message: 'not valid percent-encoding' }],
    });
  }
  // PostgreSQL restarting or unreachable: an outage the client may retry through, as the workflow service's is.
  if (isDatabaseUnavailable(err)) return new AppError('SERVICE_UNAVAILABLE', 'The database cannot be reached; retry later');
  return new AppError('INTERNAL_ERROR', 'Internal server error');
}

export function notFound() {
  return (req: Request) => {
    throw new AppError('NOT_FOUND', `No route ${req.method} ${req.baseUrl}${req.path}`); // baseUrl: mounted under /api/v1 too
  };
}
