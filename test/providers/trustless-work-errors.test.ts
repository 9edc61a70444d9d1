import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrustlessWorkClient, TrustlessWorkRefusal, TrustlessWorkUnavailable } from '../../src/providers/trustless-work/client';
import { retryAfterMs } from '../../src/providers/trustless-work/problems';

/**
 * The adapter's reading of Trustless Work's errors, pinned to docs.trustlesswork.com v2-en/api-rest/errors (RFC 9457
 * Problem Details, "switch on `code`") and the rate limit (50 requests / 60 s, 429 TOO_MANY_REQUESTS). A loopback
 * server answers exactly the documented bodies, one scripted answer per request.
 */
type Answer = { status: number; body: unknown; headers?: Record<string, string> };
let script: Answer[] = [];
let requests = 0;
let server: http.Server;
let client: TrustlessWorkClient;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const a = script.shift() ?? { status: 500, body: 'script exhausted' };
      const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/problem+json', ...a.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new TrustlessWorkClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k' });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  requests = 0;
});

const problem = (status: number, code: string, detail: string) => ({
  type: `https://docs.trustlesswork.com/trustless-work/v2-en/api-rest/errors/${code.toLowerCase().replace(/_/g, '-')}`,
  title: 'x',
  status,
  code,
  detail,
  instance: '/escrow/single-release/v2/release-funds',
  traceId: 't-1',
});
const release = () => client.releaseFunds({ contractId: 'C', releaseSigner: 'G' });

test('documented contract codes are refusals with their code: ESCROW_NOT_FOUND 404, ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE 403', async () => {
  script = [
    { status: 404, body: problem(404, 'ESCROW_NOT_FOUND', 'Escrow does not exist.') },
    { status: 403, body: problem(403, 'ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE', 'Only the designated release signer can release funds.') },
  ];
  await expect(release()).rejects.toMatchObject({ name: 'TrustlessWorkRefusal', status: 404, code: 'ESCROW_NOT_FOUND', knownCode: true });
  const err = await release().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TrustlessWorkRefusal);
  expect(err).toMatchObject({ status: 403, code: 'ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE', knownCode: true });
  expect((err as Error).message).toBe(
    'ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE: Only the designated release signer can release funds. (trace t-1)',
  );
});

test('a code the adapter does not know is a refusal an operator sees, even on a 5xx: never an outage retried forever', async () => {
  script = [{ status: 503, body: problem(503, 'SOMETHING_NEW_UPSTREAM', 'A new failure.') }];
  const err = await release().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TrustlessWorkRefusal);
  expect(err).toMatchObject({ status: 503, code: 'SOMETHING_NEW_UPSTREAM', knownCode: false });
  expect((err as Error).message).toMatch(/^unknown Trustless Work code SOMETHING_NEW_UPSTREAM/);
  expect(requests).toBe(1);
});

test('a documented 500 code (STELLAR_RESTORE_UNBUILDABLE, "report with traceId") is a refusal; a 5xx without a code is an outage', async () => {
  script = [
    { status: 500, body: problem(500, 'STELLAR_RESTORE_UNBUILDABLE', 'x') },
    { status: 502, body: '<html>bad gateway</html>' },
  ];
  await expect(release()).rejects.toMatchObject({ name: 'TrustlessWorkRefusal', code: 'STELLAR_RESTORE_UNBUILDABLE', knownCode: true });
  await expect(release()).rejects.toBeInstanceOf(TrustlessWorkUnavailable);
});

test('STELLAR_RPC_UNAVAILABLE (500, its page: "Retry with backoff") is an outage to retry, not a refusal', async () => {
  script = [{ status: 500, body: problem(500, 'STELLAR_RPC_UNAVAILABLE', 'Could not reach the Soroban RPC') }];
  const err = await release().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TrustlessWorkUnavailable);
  expect((err as Error).message).toContain('STELLAR_RPC_UNAVAILABLE');
});

test('429 with a short Retry-After is waited out and the call made again once; the answer after the wait is returned', async () => {
  script = [
    { status: 429, body: problem(429, 'TOO_MANY_REQUESTS', 'slow down'), headers: { 'retry-after': '1' } },
    { status: 200, body: { unsignedXdr: 'AAAA' } },
  ];
  await expect(release()).resolves.toEqual({ unsignedXdr: 'AAAA' });
  expect(requests).toBe(2);
});

test('429 asking for longer than the client waits is a TrustlessWorkUnavailable carrying the wait, not a refusal', async () => {
  script = [{ status: 429, body: problem(429, 'TOO_MANY_REQUESTS', 'slow down'), headers: { 'retry-after': '120' } }];
  const err = await release().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TrustlessWorkUnavailable);
  expect(err).toMatchObject({ retryAfterMs: 120_000 });
  expect(requests).toBe(1);
});

test('Retry-After is read as seconds or as an HTTP date; without one the rest of the 60-second window is assumed', () => {
  expect(retryAfterMs('7')).toBe(7_000);
  expect(retryAfterMs('Tue, 01 Dec 2026 06:00:30 GMT', Date.parse('Tue, 01 Dec 2026 06:00:00 GMT'))).toBe(30_000);
  expect(retryAfterMs(null)).toBe(60_000);
  expect(retryAfterMs('soon')).toBe(60_000);
});
