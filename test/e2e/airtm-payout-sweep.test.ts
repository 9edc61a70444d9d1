import { loadConfig } from '../../src/config';
import { credit, findEntry } from '../../src/ledger';
import { parseAmount } from '../../src/money';
import { airtmFromConfig } from '../../src/providers/airtm/client';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { reconcileTreasury } from '../../src/reconciliation/treasury';
import { createStellarNetwork } from '../../src/stellar/network';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { sweepKey, sweepPayoutToTreasury } from '../../src/withdrawals/payout-sweep';
import { airtmPayoutWorkflowId } from '../../workflows/ids';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/stellar-stack';

/**
 * A completed Airtm payout returns its USDC from the user's wallet to the treasury (issue 16): Airtm paid the user out
 * of the enterprise balance, so the USDC that backed the balance on chain goes back to the float top-ups draw on, once
 * (`withdrawal:<id>:treasury:<attempt>`), and custody (ledger vs. the wallet on chain) holds. A wallet that cannot pay
 * leaves the payout completed, says why (`airtm_payout.last_error`, reconciliation's `sweeps_pending`) and is retried.
 */
let s: AirtmStack;
let key: string;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startAirtmStack({ AIRTM_PAYOUT_POLL_INITIAL_MS: '100', AIRTM_PAYOUT_POLL_MAX_MS: '400' });
  key = await s.api.keyWith('read', 'write');
}, 90_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

const config = () => loadConfig({ ...process.env, ...s.overrides });
const get = async (id: string) => (await s.api.call('GET', `/api/v1/withdrawals/${id}`, { key })).body.data;
const payout = async (user: { id: string; email: string }, amount: string): Promise<string> => {
  const res = await s.api.call('POST', '/api/v1/withdrawals', {
    key,
    body: { user_id: user.id, amount, currency: 'USD', commit: true, destination: { type: 'airtm', email: user.email } },
    headers: { 'idempotency-key': unique('po') },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
};
/** Every USDC payment the treasury received from `from`, as Horizon lists them. */
const paymentsToTreasury = async (from: string) => {
  const page = await s.horizon.payments().forAccount(s.treasury).limit(200).order('desc').call();
  return page.records
    .filter((r) => r.type === 'payment' && r.to === s.treasury && r.from === from)
    .map((r) => ({ amount: (r as { amount: string }).amount, hash: r.transaction_hash }));
};
const storedSweeps = async (withdrawalId: string) =>
  (
    await db.pool.query<{ business_key: string; hash: string; status: string }>(
      `SELECT business_key, hash, status FROM stellar_transactions WHERE business_key LIKE $1 ORDER BY business_key`,
      [`withdrawal:${withdrawalId}:treasury:%`],
    )
  ).rows;

test('a completed payout pays its USDC from the wallet to the treasury once: custody holds, the float grows by exactly it', async () => {
  const user = await s.airtmUser(key);
  const t = (
    await s.api.call('POST', '/api/v1/topups', {
      key,
      body: { user_id: user.id, amount: '50', currency: 'USD' },
      headers: { 'idempotency-key': unique('tu') },
    })
  ).body.data;
  await s.pay(t.confirmation_url, user.email);
  await eventually(async () => (await s.api.call('GET', `/api/v1/topups/${t.id}`, { key })).body.data.delivery_tx_hash, 30_000, 'delivery');
  expect(await s.usdcBalance(user.address)).toBe('50.0000000');
  const floatBefore = parseAmount((await s.usdcBalance(s.treasury))!, { allowZero: true });

  const id = await payout(user, '41.21');
  const done = await eventually(async () => ((await get(id)).airtm_payout.treasury_tx_hash ? get(id) : null), 30_000, 'sweep');
  const hash = done.airtm_payout.treasury_tx_hash as string;
  expect(done).toMatchObject({ status: 'WITHDRAWAL_COMPLETED', airtm_payout: { status: 'COMPLETED', last_error: null }, tx_hash: null });

  // The wallet holds exactly what the ledger says the user has; the treasury got the payout's amount, once.
  expect(await s.balance(key, user.id)).toEqual({ currency: 'USD', available: '8.79', held: '0' });
  expect(await s.usdcBalance(user.address)).toBe('8.7900000');
  expect(parseAmount((await s.usdcBalance(s.treasury))!) - floatBefore).toBe(412_100_000n);
  expect(await paymentsToTreasury(user.address)).toEqual([{ amount: '41.2100000', hash }]);
  expect(await storedSweeps(id)).toEqual([{ business_key: sweepKey(id, 0), hash, status: 'SUCCEEDED' }]);
  const network = createStellarNetwork(config());
  const custody = await reconcileCustody(db.pool, network, { userIds: [user.id] });
  expect(custody.totals).toEqual({ ledger: '8.79', on_chain: '8.79', drift: '0' });
  expect(custody.drifted).toEqual([]);
  // The ledger has the payout's entries only: the sweep moves custody on chain, not money between accounts of the books.
  expect(await findEntry(db.pool, `withdrawal:${id}:finalize`)).not.toBeNull();
  expect(await findEntry(db.pool, sweepKey(id, 0))).toBeNull();

  // A retry that lost the record (the activity died after the payment landed) finds the stored transaction: no second payment.
  await db.pool.query(`UPDATE withdrawals SET treasury_tx_hash = NULL WHERE id = $1`, [id]);
  const deps = { db: db.db, pool: db.pool, network, box: walletSecretBox(config()) };
  expect((await sweepPayoutToTreasury(deps, id)).treasuryTxHash).toBe(hash);
  expect((await sweepPayoutToTreasury(deps, id)).treasuryTxHash).toBe(hash);
  expect(await paymentsToTreasury(user.address)).toHaveLength(1);
  expect(await s.usdcBalance(user.address)).toBe('8.7900000');

  const handle = (await s.api.deps.temporal.client()).workflow.getHandle(airtmPayoutWorkflowId(id));
  expect(await handle.result()).toMatchObject({ status: 'WITHDRAWAL_COMPLETED', airtm_payout: { treasury_tx_hash: hash } });
  await recordHistory('airtm-payout-completed-swept', airtmPayoutWorkflowId(id));
}, 120_000);

test('a wallet that cannot pay keeps the payout completed, says why, and is retried until the sweep lands', async () => {
  const user = await s.airtmUser(key);
  // A balance the ledger holds but the wallet does not (credited in the ledger only): the wallet has no USDC to return.
  await credit(db.pool, { kind: 'top_up', key: unique('unbacked'), userId: user.id, currency: 'USD', amount: parseAmount('3') });
  const id = await payout(user, '3');
  const stuck = await eventually(async () => ((await get(id)).airtm_payout.last_error ? get(id) : null), 30_000, 'sweep error');
  expect(stuck).toMatchObject({ status: 'WITHDRAWAL_COMPLETED', airtm_payout: { status: 'COMPLETED', treasury_tx_hash: null } });
  expect(stuck.airtm_payout.last_error).toBe(`the wallet ${user.address} holds 0 USDC, short of payout ${id}'s 3`);
  // Checked before anything is signed: no transaction stored, no fee spent.
  expect(await storedSweeps(id)).toEqual([]);
  const report = await reconcileTreasury({
    pool: db.pool,
    db: db.db,
    network: createStellarNetwork(config()),
    treasury: s.treasury,
    airtm: airtmFromConfig(config()),
    lowFloat: '0',
  });
  expect(report.treasury.unswept_payouts).toBeGreaterThanOrEqual(1);
  expect(parseAmount(report.treasury.owed_by_wallets)).toBeGreaterThanOrEqual(30_000_000n);
  expect(report.problems.some((p) => p.startsWith('sweeps_pending: '))).toBe(true);

  // USDC reaches the wallet (a deposit, credited as such): the next attempt pays, and the error is cleared.
  await s.faucet(user.address, '3');
  const swept = await eventually(async () => ((await get(id)).airtm_payout.treasury_tx_hash ? get(id) : null), 90_000, 'sweep');
  expect(swept.airtm_payout.last_error).toBeNull();
  expect(await storedSweeps(id)).toEqual([
    { business_key: sweepKey(id, 0), hash: swept.airtm_payout.treasury_tx_hash, status: 'SUCCEEDED' },
  ]);
  expect(await paymentsToTreasury(user.address)).toEqual([{ amount: '3.0000000', hash: swept.airtm_payout.treasury_tx_hash }]);
  expect(await s.usdcBalance(user.address)).toBe('0.0000000');
}, 150_000);
