import { eventually } from '../helpers/stellar-stack';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp';
import { recordHistory } from '../helpers/histories';
import { onrampOrderWorkflowId } from '../../workflows/ids';

/** An order left unpaid: the durable timer fires at the expiry and the merchant reclaims its USDC on chain. */
let t: OnrampStack;
beforeAll(async () => {
  // Short enough to wait for; the signal is mined well within it on 100 ms ledgers.
  t = await startOnrampStack({ ONRAMP_ORDER_TTL_MS: '4000' });
}, 90_000);
afterAll(async () => {
  await t?.stop();
});

test('an order left unpaid expires and the merchant gets the USDC back on chain; a proof after that is refused', async () => {
  const merchant = await t.merchant('100');
  const buyer = await t.s.activeUser(t.key);
  const o = await t.signalledOrder({
    merchantId: merchant.id,
    buyerId: buyer.id,
    amountUsdc: '30',
    paymentPlatform: 'venmo',
    fiatCurrency: 'USD',
    conversionRate: '1',
    recipient: '@merchant-venmo',
  });
  expect(await t.s.usdcBalance(merchant.address)).toBe('70.0000000');

  const expired = await eventually(
    async () => {
      const got = await t.call('GET', `/onramp/orders/${o.id}`);
      return got.body.responseObject.status === 'EXPIRED' && got.body.responseObject;
    },
    20_000,
    'expiry',
  );
  expect(expired.returnTx).toMatch(/^[0-9a-f]{64}$/);
  expect(expired.fulfillTx).toBeNull();
  expect(await t.s.usdcBalance(merchant.address)).toBe('100.0000000');
  expect(await t.s.usdcBalance(buyer.address)).toBe('0.0000000');
  // The reclaim is the merchant's claim of that balance, after its predicate (not before the expiry) began to hold.
  const ops = await t.s.horizon.operations().forAccount(merchant.address).order('desc').limit(1).call();
  expect(ops.records[0]).toMatchObject({ type: 'claim_claimable_balance', balance_id: o.balanceId, claimant: merchant.address });

  const late = await t.call('POST', '/onramp/orders/fulfill', {
    intentHash: o.intentHash,
    proof: t.proof(t.platform, { amount: '30', recipient: '@merchant-venmo', intentHash: o.intentHash }),
  });
  expect(late.status).toBe(409);
  expect(late.body.responseObject).toMatchObject({ errorCode: 'INVALID_STATE', canRetry: false });
  expect(await t.s.balance(t.key, buyer.id)).toEqual({ currency: 'USD', available: '0', held: '0' });

  await t.finished(onrampOrderWorkflowId(o.id));
  await recordHistory('onramp-order-expired', onrampOrderWorkflowId(o.id));
}, 60_000);
