import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../../src/config';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { createStellarNetwork } from '../../src/stellar/network';
import { testDatabase } from '../helpers/db';
import { unique } from '../helpers/app';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/** The worker runs as its own process here, so the tests can kill it with SIGKILL at the worst moment. */
let s: StellarStack;
let key: string;
let worker: ChildProcess;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startStellarStack({}, { inProcessWorker: false });
  key = await s.api.keyWith('read', 'write');
  worker = await s.startWorkerProcess();
}, 90_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

const balance = (id: string) => s.balance(key, id);

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const ours: string[] = [];
async function fundedUser(amount: string): Promise<{ id: string; address: string }> {
  const user = await s.activeUser(key, 60_000);
  ours.push(user.id);
  await s.faucet(user.address, amount);
  await eventually(async () => (await balance(user.id)).available === amount, 60_000, 'deposit credit');
  return user;
}

test('a worker killed while the withdrawal payment is in flight still ends with exactly one payment on chain', async () => {
  const user = await fundedUser('50');
  const outside = await s.outsideAccount();
  const res = await s.api.call('POST', '/api/v1/withdrawals', {
    key,
    body: { user_id: user.id, amount: '12.5', currency: 'USD', destination: { type: 'stellar', address: outside.publicKey() } },
    headers: { 'idempotency-key': unique('wd') },
  });
  expect(res.status).toBe(201);
  const id = res.body.data.id;
  // The envelope is stored before its first submission: kill the worker the moment it exists.
  await eventually(
    async () =>
      (await db.pool.query(`SELECT 1 FROM stellar_transactions WHERE business_key = $1`, [`withdrawal:${id}:payment`])).rowCount === 1,
    30_000,
    'stored envelope',
  );
  await kill(worker);
  worker = await s.startWorkerProcess();

  await eventually(
    async () => (await s.api.call('GET', `/api/v1/withdrawals/${id}`, { key })).body.data.status === 'WITHDRAWAL_COMPLETED',
    60_000,
    'completion after restart',
  );
  const payments = await s.horizon.payments().forAccount(outside.publicKey()).limit(200).call();
  const usdcIn = payments.records.filter((p: any) => p.type === 'payment' && p.asset_code === 'USDC' && p.to === outside.publicKey());
  expect(usdcIn).toHaveLength(1);
  expect(await s.usdcBalance(outside.publicKey())).toBe('12.5000000');
  expect(await s.usdcBalance(user.address)).toBe('37.5000000');
  expect(await balance(user.id)).toEqual({ currency: 'USD', available: '37.5', held: '0' });
}, 180_000);

test('deposits arriving while the worker is killed and restarted are each credited exactly once', async () => {
  const user = await fundedUser('1');
  await kill(worker);
  for (let i = 0; i < 5; i++) await s.faucet(user.address, '2');
  worker = await s.startWorkerProcess();
  await s.faucet(user.address, '3');
  await kill(worker);
  worker = await s.startWorkerProcess();
  await eventually(async () => (await balance(user.id)).available === '14', 60_000, 'all deposits credited');
  await new Promise((r) => setTimeout(r, 1000)); // a further scan finds nothing more to credit
  expect(await balance(user.id)).toEqual({ currency: 'USD', available: '14', held: '0' });
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE type = 'deposit' AND metadata->>'to' = $1`, [
    user.address,
  ]);
  expect(rows[0].n).toBe(7);
}, 180_000);

test('after the crashes, custody reconciles with zero drift', async () => {
  const report = await reconcileCustody(db.pool, createStellarNetwork(loadConfig({ ...process.env, ...s.overrides })), { userIds: ours });
  expect(report.users).toBe(2);
  expect(report.totals).toEqual({ ledger: '51.5', on_chain: '51.5', drift: '0' });
  expect(report.drifted).toEqual([]);
});

test('a worker killed while the escrow funding is in flight still funds the contract exactly once', async () => {
  const buyer = await fundedUser('30');
  const seller = await s.activeUser(key, 60_000);
  const post = (path: string, body?: object, idem = unique('idem')) =>
    s.api.call('POST', `/api/v1${path}`, { key, body, headers: { 'idempotency-key': idem, prefer: 'wait=60' } });
  const created = await post('/orders', { buyer_id: buyer.id, seller_id: seller.id, amount: '25', currency: 'USD', title: 'Crash test' });
  const id = created.body.data.id as string;
  expect((await post(`/orders/${id}/reserve`)).status).toBe(200);
  const escrow = await post(`/orders/${id}/escrow`, { amount: '25', currency: 'USD' });
  expect(escrow.status).toBe(200);
  // This stack's platform fee is 0: the platform's USDC trustline is opened all the same (src/escrow/escrow-steps.ts
  // deployEscrow), so that no payout to the platform role can ever trap a contract call.
  expect(escrow.body.data.platform_fee_percent).toBe('0');
  expect(await s.usdcBalance(s.platform.publicKey())).toBe('0.0000000');

  const fundKey = unique('fund');
  const first = post(`/orders/${id}/escrow/fund`, undefined, fundKey);
  // The signed envelope is stored before its first submission: kill the worker the moment it exists.
  await eventually(
    async () =>
      (await db.pool.query(`SELECT 1 FROM stellar_transactions WHERE business_key = $1`, [`order:${id}:escrow-fund`])).rowCount === 1,
    30_000,
    'stored funding envelope',
  );
  await kill(worker);
  worker = await s.startWorkerProcess();
  const answered = await first;
  expect([200, 504]).toContain(answered.status);

  const order = await eventually(
    async () => {
      const o = (await s.api.call('GET', `/api/v1/orders/${id}`, { key })).body.data;
      return o.status === 'IN_PROGRESS' && o;
    },
    60_000,
    'funding after restart',
  );
  expect(order.escrow.status).toBe('FUNDED');
  // Asking again with the same key answers the funded escrow; nothing is sent twice.
  const again = await post(`/orders/${id}/escrow/fund`, undefined, fundKey);
  // (After a 504 the retry reaches the workflow again as the same update id, which Temporal answers with its outcome.)
  expect([answered.status, again.status, again.body.data?.status]).toEqual([answered.status, 200, 'FUNDED']);
  expect(await s.usdcBalance(buyer.address)).toBe('5.0000000');
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '5', held: '25' });
  const { rows } = await db.pool.query(`SELECT status FROM stellar_transactions WHERE business_key = $1`, [`order:${id}:escrow-fund`]);
  expect(rows).toEqual([{ status: 'SUCCEEDED' }]);
  const entries = await db.pool.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE key = $1`, [`order:${id}:escrow-fund`]);
  expect(entries.rows[0].n).toBe(1);
}, 180_000);
