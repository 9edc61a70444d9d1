import type { Pool } from 'pg';
import { generateApiKey } from '../../src/auth/api-keys';
import { Authenticator } from '../../src/auth/authenticate';

/** The Authenticator over a stand-in pool that counts its lookups and knows one key. */
function setup(options: { cacheTtlMs?: number; missTtlMs?: number; maxEntries?: number } = {}) {
  const known = generateApiKey();
  const lookups: string[] = [];
  const pool = {
    query: async (q: { values: string[] }) => {
      lookups.push(q.values[0]);
      await new Promise((r) => setImmediate(r)); // concurrent callers overlap, as with a real round trip
      return { rows: q.values[0] === known.prefix ? [{ id: 'key_1', key_hash: known.hash, scopes: ['read'] }] : [] };
    },
  } as unknown as Pool;
  const auth = new Authenticator(pool, 'm'.repeat(40), { cacheTtlMs: 5000, missTtlMs: 5000, ...options });
  return { auth, lookups, known };
}

const bogus = () => generateApiKey().key;

test('a bogus token asked for again within the miss TTL does not reach the database; after it, once more', async () => {
  const { auth, lookups } = setup({ missTtlMs: 3000 });
  const token = bogus();
  const t0 = 1_000_000;
  for (let i = 0; i < 20; i++) expect(await auth.authenticate(token, t0 + i * 100)).toBeNull();
  expect(lookups).toHaveLength(1);
  expect(await auth.authenticate(token, t0 + 3000)).toBeNull();
  expect(lookups).toHaveLength(2);
});

test('concurrent requests with one unknown token share one lookup', async () => {
  const { auth, lookups } = setup();
  const token = bogus();
  const results = await Promise.all(Array.from({ length: 50 }, () => auth.authenticate(token, 1_000_000)));
  expect(results.every((r) => r === null)).toBe(true);
  expect(lookups).toHaveLength(1);
});

test('a forged token carrying a real key’s prefix is remembered as a miss and never spoils the real key', async () => {
  const { auth, lookups, known } = setup();
  const forged = known.key.slice(0, -1) + (known.key.endsWith('A') ? 'B' : 'A');
  expect(await auth.authenticate(forged, 1_000_000)).toBeNull();
  expect(await auth.authenticate(forged, 1_000_001)).toBeNull();
  expect(lookups).toHaveLength(1);
  expect(await auth.authenticate(known.key, 1_000_002)).toEqual({ kind: 'api_key', id: 'key_1', scopes: ['read'] });
});

test('the miss cache is bounded: beyond maxEntries the oldest token is forgotten', async () => {
  const { auth, lookups } = setup({ maxEntries: 2 });
  const [t1, t2, t3] = [bogus(), bogus(), bogus()];
  for (const t of [t1, t2, t3]) await auth.authenticate(t, 1_000_000);
  expect(lookups).toHaveLength(3);
  await auth.authenticate(t3, 1_000_001);
  await auth.authenticate(t2, 1_000_001);
  expect(lookups).toHaveLength(3);
  await auth.authenticate(t1, 1_000_001);
  expect(lookups).toHaveLength(4);
});

test('a miss TTL of 0 remembers nothing', async () => {
  const { auth, lookups } = setup({ missTtlMs: 0 });
  const token = bogus();
  await auth.authenticate(token, 1_000_000);
  await auth.authenticate(token, 1_000_001);
  expect(lookups).toHaveLength(2);
});
