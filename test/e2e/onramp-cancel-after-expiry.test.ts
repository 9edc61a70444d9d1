import { SYSTEM } from '../../src/audit/actor';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/client';
import { cancel, type OnrampDeps } from '../../src/onramp/onramp-steps';
import { createStellarNetwork } from '../../src/stellar/network';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { eventually } from '../helpers/stellar-stack';
import { type OnrampStack, signalledWithWorkerDown, startOnrampStack } from '../helpers/onramp';

/**
 * Support's cancel reaching the chain once the order's expiry has passed: the buyer's wallet may no longer claim the
 * balance (op_cannot_claim), so the cancel's return cannot land; the merchant reclaims instead, as at the expiry, and
 * the order is CANCELLED with that reclaim as its return. Before, the step retried the refused claim for ever and the
 * order stayed PAYMENT_SENT with the merchant's USDC locked (found by `npm run chaos` at K=200). The step is called
 * here as its activity calls it, with no worker running, so that the workflow's own expiry cannot come first.
 */
let t: OnrampStack;
beforeAll(async () => {
  t = await startOnrampStack({ ONRAMP_ORDER_TTL_MS: '15000' }, { inProcessWorker: false });
}, 90_000);
afterAll(async () => {
  await t?.stop();
});

test('a cancel after the expiry has the merchant reclaim: CANCELLED, the merchant’s USDC back on chain, nothing to the buyer', async () => {
  const { merchant, buyer, order: o } = await signalledWithWorkerDown(t);
  expect(await t.s.usdcBalance(merchant.address)).toBe('90.0000000');
  await eventually(
    async () => Date.parse((await t.s.horizon.ledgers().order('desc').limit(1).call()).records[0]!.closed_at) > Date.parse(o.expiresAt),
    60_000,
    'a ledger closed after the expiry',
  );

  const config = loadConfig({ ...process.env, ...t.s.overrides });
  const database = createDatabase(config.DATABASE_URL, 2);
  try {
    const deps = {
      db: database.db,
      pool: database.pool,
      network: createStellarNetwork(config),
      box: walletSecretBox(config),
    } as unknown as OnrampDeps; // proofs are not checked by a cancel
    const view = await cancel(deps, o.id, SYSTEM);
    expect(view).toMatchObject({ status: 'CANCELLED' });
    expect(view.returnTx).toMatch(/^[0-9a-f]{64}$/);
  } finally {
    await database.close();
  }
  expect(await t.s.usdcBalance(merchant.address)).toBe('100.0000000');
  expect(await t.s.usdcBalance(buyer.address)).toBe('0.0000000');
  expect((await t.s.balance(t.key, buyer.id)).available).toBe('0');
}, 180_000);
