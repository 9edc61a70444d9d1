import { call, startAirtm, type AirtmTest } from './helpers';

/** Failing calls on command, and the rate limit of #/info/description ("Rate Limits": 10 requests per second, 429). */
let t: AirtmTest;
afterEach(() => t.stop());

test('failNext(500) answers the next call 500 without a reason code, then the service is back', async () => {
  t = await startAirtm();
  t.airtm.failNext({ kind: 500 });
  const r = await call(t.airtm, 'GET', '/me/balance');
  expect(r.status).toBe(500);
  expect(r.body).toEqual({ message: 'Internal Server Error' });
  expect((await call(t.airtm, 'GET', '/me/balance')).status).toBe(200);
});

test('failNext(429) answers 429 with the Retry-After asked for', async () => {
  t = await startAirtm();
  t.airtm.failNext({ kind: 429, retryAfterSeconds: 3 }, 2);
  for (let i = 0; i < 2; i++) {
    const r = await call(t.airtm, 'GET', '/me/balance');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
  }
  expect((await call(t.airtm, 'GET', '/me/balance')).status).toBe(200);
});

test("failNext('timeout') never answers: the caller's own timeout fires", async () => {
  t = await startAirtm();
  t.airtm.failNext({ kind: 'timeout' });
  await expect(fetch(`${t.airtm.apiUrl}/me/balance`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/aborted|timeout/i);
});

test('the 11th call within a second is refused 429 with Retry-After: 1 (the spec default of 10 per second); a second later calls pass', async () => {
  let now = 1_000_000;
  t = await startAirtm({ requestsPerSecond: undefined, clock: () => now });
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await call(t.airtm, 'GET', '/me/balance')).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429]);
  const refused = await call(t.airtm, 'GET', '/me/balance');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  now += 1000;
  expect((await call(t.airtm, 'GET', '/me/balance')).status).toBe(200);
});
