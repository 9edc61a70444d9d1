import http from 'node:http';
import { chaosClient, Refused } from '../../bench/chaos/lifecycles/client';
import { lifecycle } from '../../bench/chaos/lifecycles/lifecycle';
import type { ChaosEndpoints, LifecycleContext } from '../../bench/chaos/types';

/**
 * The lifecycles' client against a server that misbehaves on purpose: it must ask again through faults with the same
 * Idempotency-Key and body, stop at the product's refusal with its status and body, and give up at the deadline.
 */
const seen: Array<{ path: string; key: string | undefined; body: string }> = [];
let server: http.Server;
let url: string;
const attempts = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      seen.push({ path: req.url!, key, body });
      const n = (attempts.get(req.url!) ?? 0) + 1;
      attempts.set(req.url!, n);
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
      if (req.url === '/api/v1/flaky') {
        if (n === 1) return json(503, { error: { code: 'SERVICE_UNAVAILABLE' } });
        if (n === 2) return req.socket.destroy();
        if (n === 3) return json(429, { error: { code: 'RATE_LIMITED' } }, { 'retry-after': '1' });
        if (n === 4) return json(409, { error: { code: 'IDEMPOTENCY_KEY_IN_PROGRESS' } });
        if (n === 5) return json(504, { error: { code: 'PROVIDER_TIMEOUT' } });
        return json(201, { data: { id: 'x_1' } });
      }
      if (req.url === '/api/v1/refuse') return json(422, { error: { code: 'INSUFFICIENT_FUNDS', details: { available: '1' } } });
      if (req.url === '/api/v1/state') return json(409, { error: { code: 'INVALID_STATE' } });
      if (req.url === '/api/v1/in-turn') {
        if (n <= 2) return json(409, { error: { code: 'INVALID_STATE', details: { current_status: 'DELIVERING' } } });
        return json(202, { data: { status: 'DISPUTED' } });
      }
      if (req.url === '/api/v1/in-turn-claimed') {
        if (n === 1) return json(409, { error: { code: 'IDEMPOTENCY_KEY_IN_PROGRESS' } });
        return json(202, { data: { status: 'RESOLVING' } });
      }
      if (req.url === '/api/v1/not-in-turn')
        return json(409, { error: { code: 'INVALID_STATE', details: { current_status: 'RELEASED' } } });
      return json(503, { error: { code: 'SERVICE_UNAVAILABLE' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const context = (deadlineMs: number, log: string[] = []): LifecycleContext => ({
  endpoints: { apiUrl: url, keys: { write: 'w-key', support: 's-key' } } as ChaosEndpoints,
  random: () => 0.5,
  deadlineMs,
  log: (line) => log.push(line),
});

test('through 503, a lost connection, 429, 409 IDEMPOTENCY_KEY_IN_PROGRESS and 504 it asks again with the same key and body', async () => {
  const api = chaosClient(context(30_000));
  const res = await api.post('/flaky', { body: { amount: '12.5' } });
  expect([res.status, res.body]).toEqual([201, { data: { id: 'x_1' } }]);
  const sent = seen.filter((s) => s.path === '/api/v1/flaky');
  expect(sent).toHaveLength(6);
  expect(new Set(sent.map((s) => s.key)).size).toBe(1);
  expect(sent[0]!.key).toMatch(/^chaos-/);
  expect(new Set(sent.map((s) => s.body))).toEqual(new Set(['{"amount":"12.5"}']));
});

test('a refusal is the product’s word: no second request, and the error carries the status and the body', async () => {
  const api = chaosClient(context(30_000));
  const refused = api.post('/refuse', { body: { amount: '2' } });
  await expect(refused).rejects.toBeInstanceOf(Refused);
  await expect(refused).rejects.toThrow('POST /refuse answered 422: {"error":{"code":"INSUFFICIENT_FUNDS","details":{"available":"1"}}}');
  expect(attempts.get('/api/v1/refuse')).toBe(1);
  await expect(api.post('/state')).rejects.toThrow('POST /state answered 409');
});

test('409 INVALID_STATE naming an in-flight status is asked again with a new key; naming another status it is a refusal', async () => {
  const log: string[] = [];
  const api = chaosClient(context(30_000, log));
  const inFlight = new Set(['DELIVERING']);
  const res = await api.postInTurn('/in-turn', inFlight, { body: { opened_by: 'BUYER' } });
  expect([res.status, res.body.data.status]).toEqual([202, 'DISPUTED']);
  const keys = seen.filter((s) => s.path === '/api/v1/in-turn').map((s) => s.key);
  expect(keys).toHaveLength(3);
  expect(new Set(keys).size).toBe(3);
  expect(log).toEqual([
    'POST /in-turn: 409 INVALID_STATE while DELIVERING; asking again with a new Idempotency-Key',
    'POST /in-turn: 409 INVALID_STATE while DELIVERING; asking again with a new Idempotency-Key',
  ]);
  await expect(api.postInTurn('/not-in-turn', inFlight)).rejects.toThrow(
    'POST /not-in-turn answered 409: {"error":{"code":"INVALID_STATE"',
  );
  expect(attempts.get('/api/v1/not-in-turn')).toBe(1);
});

test('a fault that lasts past the deadline ends the request with the last fault seen', async () => {
  const api = chaosClient(context(1500));
  await expect(api.get('/down')).rejects.toThrow(/GET \/down: no definite answer within the deadline \(last: 503/);
});

test('a lifecycle never throws out: an error or another terminal state is ok:false with the reason', async () => {
  const wrongState = lifecycle('order.cancelled', 'CANCELLED', async (_api, trail) => {
    trail.id = 'ord_1';
    trail.actual = 'RELEASED';
    trail.amounts.order = 5n;
  });
  expect(await wrongState(context(5000))).toMatchObject({
    kind: 'order.cancelled',
    id: 'ord_1',
    expected: 'CANCELLED',
    actual: 'RELEASED',
    ok: false,
    error: 'ended RELEASED, expected CANCELLED',
    amounts: { order: '5' },
  });
  const log: string[] = [];
  const refused = lifecycle('deposit', 'CREDITED', async (api, trail) => {
    trail.actual = 'WALLET_ACTIVE';
    await api.post('/refuse');
  });
  const r = await refused(context(5000, log));
  expect([r.ok, r.actual, r.error]).toEqual([
    false,
    'WALLET_ACTIVE',
    'at WALLET_ACTIVE: POST /refuse answered 422: {"error":{"code":"INSUFFICIENT_FUNDS","details":{"available":"1"}}}',
  ]);
  expect(log).toEqual([expect.stringContaining('deposit (no id): at WALLET_ACTIVE')]);
});

test('a step that takes a 409 as an answer still asks again, same key, through 409 IDEMPOTENCY_KEY_IN_PROGRESS (a killed API’s claim)', async () => {
  const api = chaosClient(context(30_000));
  const res = await api.postInTurn('/in-turn-claimed', new Set(['DELIVERING']), { body: { decision: 'REFUND' } });
  expect([res.status, res.body.data.status]).toEqual([202, 'RESOLVING']);
  const keys = seen.filter((s) => s.path === '/api/v1/in-turn-claimed').map((s) => s.key);
  expect(keys).toHaveLength(2);
  expect(new Set(keys).size).toBe(1);
});
