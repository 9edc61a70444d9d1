import crypto from 'node:crypto';
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
  // 20 s: on a loaded machine (CI shares 2 cores) six requests have taken more than 5 s.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
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

describe('before authentication, per client address', () => {
  let proxied: TestApi;
  let direct: TestApi;
  beforeAll(async () => {
    // Behind a trusted proxy (loopback), the client address is X-Forwarded-For's: each test gets addresses of its own.
    proxied = await startTestApi({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
    direct = await startTestApi({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await proxied.close();
    await direct.close();
  });

  /** A /64 of the IPv6 documentation range no other run uses. */
  const subnet = () => `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
  const bogusToken = () => `ohk_live_${crypto.randomUUID().replace(/-/g, '')}${'A'.repeat(8)}`;

  test('the 4th request in a minute from one address answers 429 RATE_LIMITED with the limit headers, without a database lookup', async () => {
    const net = subnet();
    await awayFromWindowEnd();
    for (let i = 0; i < 3; i++) {
      const res = await proxied.call('GET', '/api/v1/users', { key: bogusToken(), headers: { 'x-forwarded-for': `${net}::1` } });
      expect(res.status).toBe(401);
    }
    const query = jest.spyOn(proxied.deps.database.pool, 'query');
    try {
      const limited = await proxied.call('GET', '/api/v1/users', { key: bogusToken(), headers: { 'x-forwarded-for': `${net}::1` } });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.body.error.details).toMatchObject({ scope: 'address', limit: 3 });
      expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(query.mock.calls.filter(([q]) => (q as { name?: string })?.name === 'find_api_key')).toHaveLength(0);
    } finally {
      query.mockRestore();
    }
    // Another host of the same /64 shares the budget; another /64 has its own.
    expect((await proxied.call('GET', '/api/v1/health', { key: null, headers: { 'x-forwarded-for': `${net}::2` } })).status).toBe(429);
    expect((await proxied.call('GET', '/api/v1/health', { key: null, headers: { 'x-forwarded-for': `${subnet()}::1` } })).status).toBe(200);
  });

  test('without TRUST_PROXY, X-Forwarded-For is ignored: requests claiming four addresses share one budget', async () => {
    await awayFromWindowEnd();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await direct.call('GET', '/api/v1/health', { key: null, headers: { 'x-forwarded-for': `${subnet()}::1` } })).status);
    }
    // Other suites also call from 127.0.0.1, so earlier answers may already be 429; the 4th must be.
    expect(statuses[3]).toBe(429);
  });

  test('a bogus token repeated by many requests reaches PostgreSQL once per distinct token within AUTH_MISS_CACHE_TTL_MS', async () => {
    const tokens = [bogusToken(), bogusToken(), bogusToken()];
    const query = jest.spyOn(a.deps.database.pool, 'query');
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => a.call('GET', '/api/v1/users', { key: tokens[i % tokens.length] })),
      );
      for (let i = 0; i < 10; i++) answers.push(await a.call('GET', '/api/v1/users', { key: tokens[i % tokens.length] }));
      expect(answers.map((r) => r.status)).toEqual(Array(40).fill(401));
      const lookups = query.mock.calls.filter(([q]) => (q as { name?: string })?.name === 'find_api_key');
      expect(lookups.map(([q]) => (q as unknown as { values: string[] }).values[0]).sort()).toEqual(
        tokens.map((t) => t.slice(9, 21)).sort(),
      );
    } finally {
      query.mockRestore();
    }
  });
});
