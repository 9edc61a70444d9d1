import net from 'node:net';
import { startApi } from '../../api/server';
import { loadConfig } from '../../src/config';

/** Defects the fuzzer (test/fuzz/fuzz.test.ts) found, each pinned against the production server as api/server.ts builds it. */
let api: Awaited<ReturnType<typeof startApi>>;
beforeAll(async () => {
  // The per-address limit is shared through PostgreSQL with every suite calling from 127.0.0.1 at the same time: out of the way.
  const env = { ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' };
  api = await startApi(loadConfig({ ...env, RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000000' }));
});
afterAll(() => api.stop());

/** Writes raw bytes to the API and reads everything it answers before closing. */
function raw(request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(api.port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

function envelope(answer: string): { status: string; headers: string; body: any } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: head.split('\r\n')[0], headers: head, body: JSON.parse(body) };
}

// Found by seed 20261201 (huge-headers): Node's parser answered a bare 431 with no body and no X-Request-ID.
test('headers over the server limit: 400 VALIDATION_ERROR in the envelope with a request id, not a bare 431', async () => {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/health`, { headers: { 'x-padding': 'p'.repeat(20_000) } });
  expect(res.status).toBe(400);
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body: any = await res.json();
  expect(body.error.code).toBe('VALIDATION_ERROR');
  expect(body.error.details.fields).toEqual([expect.objectContaining({ field: 'headers', code: 'too_large' })]);
  expect(body.error.details.limit_bytes).toBe(16_384);
});

test('a malformed request line: 400 VALIDATION_ERROR in the envelope, not a bare 400', async () => {
  const answer = envelope(await raw('GARBAGE\r\n\r\n'));
  expect(answer.status).toBe('HTTP/1.1 400 Bad Request');
  expect(answer.headers).toMatch(/\r\nX-Request-ID: [0-9a-f-]{36}\r\n/);
  expect(answer.body.error.code).toBe('VALIDATION_ERROR');
  expect(answer.body.error.details.fields[0].code).toBe('malformed_http');
});

test('a header with a control character: 400 VALIDATION_ERROR in the envelope', async () => {
  const answer = envelope(await raw('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n'));
  expect(answer.status).toBe('HTTP/1.1 400 Bad Request');
  expect(answer.body.error).toEqual({ code: 'VALIDATION_ERROR', message: 'Malformed HTTP request', details: expect.any(Object) });
});

// Found by seed 20261201 (undocumented-method): the router answered OPTIONS itself, 200 text/plain "GET, HEAD, POST",
// to anyone, without a key and outside the envelope.
test('OPTIONS on an API path: 404 NOT_FOUND in the envelope, no method list', async () => {
  for (const path of ['/api/v1/users', '/api/v1/orders/ord_x/reserve', '/api/v1/health']) {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, { method: 'OPTIONS' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    const body: any = await res.json();
    expect(body.error).toEqual({ code: 'NOT_FOUND', message: `No route OPTIONS ${path}`, details: {} });
  }
});

test('the documented methods still answer, and an unknown path under /api/v1 is 404 NOT_FOUND', async () => {
  expect((await fetch(`http://127.0.0.1:${api.port}/api/v1/health`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${api.port}/api/v1/openapi.json`)).status).toBe(200);
  const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/nothing-here`);
  expect(res.status).toBe(404);
  expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
});
