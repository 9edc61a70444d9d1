import { startTestApi, type TestApi } from '../helpers/app';

let a: TestApi;
let b: TestApi;
beforeAll(async () => {
  a = await startTestApi({ RATE_LIMIT_PER_MINUTE: '5' });
  b = await startTestApi({ RATE_LIMIT_PER_MINUTE: '5' });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

/** Keeps a test's requests inside one minute window, so the counts it asserts are not split by a window boundary. */
async function awayFromWindowEnd() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((r) => setTimeout(r, left + 50));
}

test('every authenticated response carries the limit headers, and the 6th request in a minute answers 429 RATE_LIMITED', async () => {
  const key = await a.keyWith('read');
  await awayFromWindowEnd();
  const remaining: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await a.call('GET', '/api/v1/users?limit=1', { key });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 60);
  }
  expect(remaining).toEqual([4, 3, 2, 1, 0]);
  const limited = await a.call('GET', '/api/v1/users?limit=1', { key });
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('RATE_LIMITED');
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(limited.body.error.details.retry_after).toBe(retryAfter);
  expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
});

const flushed = () => new Promise((r) => setTimeout(r, 300)); // processes share counts every RATE_LIMIT_FLUSH_MS (100)

test('the counter is shared by every API process: requests through two servers add up', async () => {
  const key = await a.keyWith('read');
  await awayFromWindowEnd();
  for (let i = 0; i < 3; i++) expect((await a.call('GET', '/api/v1/users?limit=1', { key })).status).toBe(200);
  await flushed();
  expect((await b.call('GET', '/api/v1/users?limit=1', { key })).headers.get('x-ratelimit-remaining')).toBe('1');
  expect((await b.call('GET', '/api/v1/users?limit=1', { key })).status).toBe(200);
  await flushed();
  const limited = await a.call('GET', '/api/v1/users?limit=1', { key });
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('RATE_LIMITED');
});

test('each API key has its own budget', async () => {
  const k1 = await a.keyWith('read');
  const k2 = await a.keyWith('read');
  await awayFromWindowEnd();
  for (let i = 0; i < 6; i++) await a.call('GET', '/api/v1/users?limit=1', { key: k1 });
  const other = await a.call('GET', '/api/v1/users?limit=1', { key: k2 });
  expect(other.status).toBe(200);
  expect(other.headers.get('x-ratelimit-remaining')).toBe('4');
});

test('a request with a wrong key is refused before it can spend the budget of the key it imitates', async () => {
  const key = await a.keyWith('read');
  await awayFromWindowEnd();
  const forged = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  for (let i = 0; i < 10; i++) expect((await a.call('GET', '/api/v1/users?limit=1', { key: forged })).status).toBe(401);
  const res = await a.call('GET', '/api/v1/users?limit=1', { key });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
});
