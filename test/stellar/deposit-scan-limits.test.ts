import { Keypair } from '@stellar/stellar-sdk';
import { loadConfig } from '../../src/config';
import { scanDeposits } from '../../src/deposits/scan-deposits';
import { createStellarNetwork, type StellarNetwork } from '../../src/stellar/network';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { startTestSandbox, type TestSandbox } from '../sandbox/stellar/helpers';

/**
 * The deposit scanner within Horizon's request limit, against a sandbox Horizon that enforces one the way Horizon does
 * (stellar/go services/horizon/internal/docs/reference/rate-limiting.md: per IP, GCRA, X-RateLimit-* headers, 429
 * `rate_limit_exceeded` with Retry-After; services/horizon/internal/render/problem/problem.go for the problem).
 */
let t: TestSandbox;
let network: StellarNetwork;
let horizonRequests = 0;
const db = testDatabase(2);

beforeAll(async () => {
  t = await startTestSandbox({
    rateLimit: { perHour: 3600, burst: 4 },
    log: (message) => {
      if (message === 'horizon request') horizonRequests++;
    },
  });
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    OFFERHUB_MASTER_KEY: 'test-master-key-not-used-by-these-tests',
    STELLAR_NETWORK: 'sandbox',
    HORIZON_URL: t.sandbox.url,
    USDC_ISSUER: t.sandbox.usdcAsset.issuer,
    PLATFORM_PUBLIC_KEY: Keypair.random().publicKey(),
  });
  network = createStellarNetwork(config);
}, 30_000);
afterAll(async () => {
  await t.stop();
  await db.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the sandbox Horizon limits each IP as Horizon does: a burst, then 429 rate_limit_exceeded with Retry-After; friendbot is not Horizon', async () => {
  await sleep(6_000); // a full allowance: 5 (burst 4 + 1) at 1 a second
  const answers = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${t.sandbox.url}/ledgers?order=desc&limit=1`);
    answers.push({
      status: res.status,
      limit: res.headers.get('x-ratelimit-limit'),
      remaining: res.headers.get('x-ratelimit-remaining'),
      retryAfter: res.headers.get('retry-after'),
      body: res.status === 429 ? await res.json() : (await res.text(), null),
    });
  }
  expect(answers.map((a) => [a.status, a.limit, a.remaining])).toEqual([
    [200, '5', '4'],
    [200, '5', '3'],
    [200, '5', '2'],
    [200, '5', '1'],
    [200, '5', '0'],
    [429, '5', '0'],
  ]);
  expect(answers[5].retryAfter).toBe('1');
  expect(answers[5].body).toMatchObject({
    type: 'https://stellar.org/horizon-errors/rate_limit_exceeded',
    title: 'Rate Limit Exceeded',
    status: 429,
  });
  // Friendbot and the faucet are services beside Horizon: a client out of Horizon requests can still use them.
  expect((await t.server.friendbot(Keypair.random().publicKey()).call()) as unknown).toBeTruthy();
}, 30_000);

test('a scan refused with 429 answers the time to wait and reads nothing; after it, the scan goes on from the same cursor', async () => {
  await sleep(6_000);
  const name = unique('limited-scan');
  for (let i = 0; i < 3; i++) await t.server.friendbot(Keypair.random().publicKey()).call();
  // A page of the network's payments costs one request however many accounts it names (the sandbox's history holds
  // the payments of every account friendbot created): wallets are matched in the database, not asked of Horizon.
  const before = horizonRequests;
  const first = await scanDeposits(db.pool, network, { cursorName: name });
  expect(first.retryAfterMs).toBeUndefined();
  expect(first.scanned).toBeGreaterThan(1);
  expect(horizonRequests - before).toBe(1);
  // Spend the rest of the allowance, then scan: Horizon says 429, the scan says how long to wait and keeps its cursor.
  for (let i = 0; i < 4; i++) await fetch(`${t.sandbox.url}/ledgers?limit=1`);
  const refused = await scanDeposits(db.pool, network, { cursorName: name });
  // The SDK keeps no headers of a failed read (call_builder.js _handleNetworkError), so the wait is the scanner's default.
  expect(refused).toEqual({ scanned: 0, credited: 0, cursor: first.cursor, caughtUp: false, retryAfterMs: 10_000 });
  // A payment made meanwhile is read by the next scan: nothing was skipped. The allowance refills one request a second.
  await t.server.friendbot(Keypair.random().publicKey()).call();
  await sleep(1_100);
  const next = await scanDeposits(db.pool, network, { cursorName: name });
  expect(next.retryAfterMs).toBeUndefined();
  expect(next.scanned).toBe(1);
  expect(BigInt(next.cursor)).toBeGreaterThan(BigInt(first.cursor));
}, 60_000);

test('a caught-up scan costs one request a poll: the reset check runs at most once a minute', async () => {
  await sleep(6_000);
  const name = unique('idle-scan');
  for (let i = 0; i < 20; i++) {
    const r = await scanDeposits(db.pool, network, { cursorName: name });
    if (r.scanned === 0 && r.caughtUp) break;
    await sleep(1_100);
  }
  await sleep(3_000);
  const before = horizonRequests;
  for (let i = 0; i < 3; i++) {
    expect(await scanDeposits(db.pool, network, { cursorName: name })).toMatchObject({ scanned: 0, caughtUp: true });
    await sleep(1_100);
  }
  expect(horizonRequests - before).toBe(3);
}, 90_000);
