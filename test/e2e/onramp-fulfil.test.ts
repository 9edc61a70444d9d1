import { eventually } from '../helpers/stellar-stack';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp';
import { recordHistory } from '../helpers/histories';
import { onrampOrderWorkflowId } from '../../workflows/ids';
import { testDatabase } from '../helpers/db';

/**
 * The on-ramp end to end (document 003): the real API and worker, the Stellar sandbox (claimable balances) and the
 * payment platform sandbox whose witness signs the proofs.
 */
let t: OnrampStack;
const db = testDatabase(2);
let merchant: { id: string; address: string };
beforeAll(async () => {
  t = await startOnrampStack();
  merchant = await t.merchant('1000');
}, 90_000);
afterAll(async () => {
  await t?.stop();
  await db.close();
});

const order = (buyerId: string, over: Record<string, unknown> = {}) => ({
  merchantId: merchant.id,
  buyerId,
  amountUsdc: '50',
  paymentPlatform: 'venmo',
  fiatCurrency: 'USD',
  conversionRate: '1.02',
  recipient: '@merchant-venmo',
  ...over,
});
const fulfil = (intentHash: string, proof: unknown) => t.call('POST', '/onramp/orders/fulfill', { intentHash, proof });
const balance = (userId: string) => t.s.balance(t.key, userId);

test('a valid proof fulfils the order: the USDC is claimed into the buyer’s wallet and the balance rises by amountUsdc once', async () => {
  const buyer = await t.s.activeUser(t.key);
  const before = await t.s.usdcBalance(merchant.address);
  const o = await t.signalledOrder(order(buyer.id));
  expect(o).toMatchObject({ amountUsdc: '50', quote: { fiatAmount: '51.00', tokenAmount: '500000000', payeeAddress: '@merchant-venmo' } });
  expect(o.intentHash).toMatch(/^0x[0-9a-f]{64}$/);
  expect(o.signalTx).toMatch(/^[0-9a-f]{64}$/);
  // The merchant's USDC sits in a claimable balance for the buyer (before the expiry) and the merchant (after it).
  expect(Number(await t.s.usdcBalance(merchant.address))).toBe(Number(before) - 50);
  const cb = await (await fetch(`${t.s.sandbox.url}/claimable_balances/${o.balanceId}`)).json();
  expect(cb).toMatchObject({ amount: '50.0000000', claimants: [{ destination: buyer.address }, { destination: merchant.address }] });

  const sent = await t.call('POST', `/onramp/orders/${o.id}/payment-sent`, undefined);
  expect(sent.status).toBe(200);
  expect(sent.body).toMatchObject({ success: true, responseObject: { status: 'PAYMENT_SENT' } });

  const proof = t.proof(t.platform, { amount: '51.00', recipient: '@merchant-venmo', intentHash: o.intentHash });
  const res = await fulfil(o.intentHash, proof);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    success: true,
    message: 'Order fulfilled successfully',
    responseObject: { order: { status: 'FULFILLED' } },
  });
  expect(res.body.responseObject.txHash).toBe(res.body.responseObject.order.fulfillTx);
  expect(await t.s.usdcBalance(buyer.address)).toBe('50.0000000');
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '50', held: '0' });

  // Exactly once: a later deposit is credited (the scanner has read past the claim), and the total is 50 + 1.
  await t.s.faucet(buyer.address, '1');
  await eventually(async () => (await balance(buyer.id)).available === '51', 15_000, 'the later deposit');
  const history = await t.s.api.call('GET', `/api/v1/users/${buyer.id}/transactions`, { key: t.key });
  expect(history.body.data.map((l: { type: string; amount: string }) => [l.type, l.amount])).toEqual([
    ['deposit', '1'],
    ['on_ramp', '50'],
  ]);

  const attempts = await t.call('GET', `/onramp/orders/${o.id}/proof-attempts`);
  expect(attempts.body.responseObject.proofAttempts).toEqual([
    expect.objectContaining({ id: res.body.responseObject.proofAttemptId, status: 'FULFILLED', txHash: res.body.responseObject.txHash }),
  ]);

  // The same proof again: the order is done (003: ORDER_ALREADY_FULFILLED, not retryable); the attempt is recorded.
  const again = await fulfil(o.intentHash, proof);
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ success: false, responseObject: { errorCode: 'ORDER_ALREADY_FULFILLED', canRetry: false } });
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '51', held: '0' });
  const after = await t.call('GET', `/onramp/orders/${o.id}/proof-attempts`);
  expect(after.body.responseObject.proofAttempts.map((a: { status: string }) => a.status)).toEqual(['FULFILLED', 'REJECTED']);

  await t.finished(onrampOrderWorkflowId(o.id));
  await recordHistory('onramp-order-fulfilled', onrampOrderWorkflowId(o.id));

  // 003's lifecycle, one onramp.* event per status, each carrying the order as GET shows it.
  const { rows } = await db.pool.query(`SELECT type, data->>'status' AS status FROM events WHERE resource_id = $1 ORDER BY id`, [o.id]);
  expect(rows.map((r: { type: string; status: string }) => `${r.type}:${r.status}`)).toEqual([
    'onramp.created:SESSION_CREATED',
    ...['SIGNAL_SENT', 'SIGNAL_MINED', 'PAYMENT_SENT', 'PROOF_VERIFIED', 'PROOF_SUBMITTED', 'FULFILL_SUBMITTED', 'FULFILLED'].map(
      (status) => `onramp.status_changed:${status}`,
    ),
  ]);

  // Who did what, in the audit log: the API key for the client's steps, the worker for the chain's.
  const audit = await db.pool.query(`SELECT action, actor_type FROM audit_log WHERE resource_id = $1 ORDER BY id`, [o.id]);
  expect(audit.rows.map((r: { action: string; actor_type: string }) => `${r.action}:${r.actor_type}`)).toEqual([
    'onramp.create:api_key',
    'onramp.signal_sent:system',
    'onramp.signal_mined:system',
    'onramp.payment_sent:api_key',
    'onramp.proof_verified:api_key',
    'onramp.proof_submitted:api_key',
    'onramp.fulfill_submitted:api_key',
    'onramp.fulfilled:api_key',
  ]);

  // Replayed on another order: refused, and that order stays open for its own proof.
  const other = await t.signalledOrder(order(buyer.id, { amountUsdc: '5' }));
  const replay = await fulfil(other.intentHash, proof);
  expect(replay.status).toBe(422);
  expect(replay.body.responseObject).toMatchObject({ errorCode: 'PROOF_INVALID', canRetry: true });
  expect((await t.call('GET', `/onramp/orders/${other.id}`)).body.responseObject.status).toBe('SIGNAL_MINED');
}, 90_000);

test('a forged signature, a wrong amount and a wrong recipient are each PROOF_INVALID (canRetry); the order then takes a valid proof', async () => {
  const buyer = await t.s.activeUser(t.key);
  const o = await t.signalledOrder(order(buyer.id, { amountUsdc: '20', conversionRate: '1' }));
  const good = { amount: '20', recipient: '@merchant-venmo', intentHash: o.intentHash };

  const cases = [
    t.proof(t.forger, good),
    t.proof(t.platform, { ...good, amount: '19.99' }),
    t.proof(t.platform, { ...good, recipient: '@someone-else' }),
  ];
  for (const proof of cases) {
    const res = await fulfil(o.intentHash, proof);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ success: false, responseObject: { errorCode: 'PROOF_INVALID', canRetry: true } });
    expect(res.body.responseObject.proofAttemptId).toMatch(/^proof_/);
  }
  const open = await t.call('GET', `/onramp/orders/${o.id}`);
  expect(open.body.responseObject).toMatchObject({ status: 'SIGNAL_MINED', fulfillTx: null });
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '0', held: '0' });

  const res = await fulfil(o.intentHash, t.proof(t.platform, good));
  expect(res.status).toBe(200);
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '20', held: '0' });
  await t.finished(onrampOrderWorkflowId(o.id));
  await recordHistory('onramp-order-fulfilled-after-rejections', onrampOrderWorkflowId(o.id));
  const attempts = (await t.call('GET', `/onramp/orders/${o.id}/proof-attempts`)).body.responseObject.proofAttempts;
  expect(attempts.map((a: { status: string; verificationError: string | null }) => [a.status, a.verificationError])).toEqual([
    ['REJECTED', 'PROOF_INVALID'],
    ['REJECTED', 'PROOF_INVALID'],
    ['REJECTED', 'PROOF_INVALID'],
    ['FULFILLED', null],
  ]);
}, 90_000);

test('support cancels an open order: the merchant’s USDC is back on chain, the buyer gets nothing; write scope alone is refused', async () => {
  const buyer = await t.s.activeUser(t.key);
  const before = await t.s.usdcBalance(merchant.address);
  const o = await t.signalledOrder(order(buyer.id, { amountUsdc: '7' }));
  expect(Number(await t.s.usdcBalance(merchant.address))).toBe(Number(before) - 7);

  const denied = await t.call('POST', `/onramp/orders/${o.id}/cancel`, undefined);
  expect(denied.status).toBe(403);

  const res = await t.call('POST', `/onramp/orders/${o.id}/cancel`, undefined, t.supportKey);
  expect(res.status).toBe(200);
  expect(res.body.responseObject).toMatchObject({ status: 'CANCELLED' });
  expect(res.body.responseObject.returnTx).toMatch(/^[0-9a-f]{64}$/);
  expect(await t.s.usdcBalance(merchant.address)).toBe(before);
  expect(await t.s.usdcBalance(buyer.address)).toBe('0.0000000');
  expect((await fetch(`${t.s.sandbox.url}/claimable_balances/${o.balanceId}`)).status).toBe(404);
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '0', held: '0' });

  await t.finished(onrampOrderWorkflowId(o.id));
  await recordHistory('onramp-order-cancelled', onrampOrderWorkflowId(o.id));
  const late = await fulfil(o.intentHash, t.proof(t.platform, { amount: '7.14', recipient: '@merchant-venmo', intentHash: o.intentHash }));
  expect(late.status).toBe(409);
  expect(late.body.responseObject).toMatchObject({ errorCode: 'INVALID_STATE', canRetry: false });
}, 90_000);

test('an order whose recipient is not the merchant’s handle on that platform is refused and creates nothing', async () => {
  const buyer = await t.s.activeUser(t.key);
  const res = await t.call('POST', '/onramp/orders', order(buyer.id, { recipient: '@someone-else' }));
  expect(res.status).toBe(400);
  // In document 003's envelope, as every refusal on the on-ramp's routes.
  expect(res.body).toMatchObject({ success: false, responseObject: { errorCode: 'VALIDATION_ERROR', canRetry: false } });
  expect(res.body.responseObject.details.fields).toEqual([
    expect.objectContaining({ field: 'body.recipient', code: 'not_merchant_handle' }),
  ]);
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM onramp_orders WHERE buyer_id = $1', [buyer.id]);
  expect(rows[0].n).toBe(0);
});

test('a merchant short of USDC: Stellar refuses the signal, the order is FAILED and says why (SIGNAL_REVERTED, op_underfunded)', async () => {
  const buyer = await t.s.activeUser(t.key);
  const res = await t.call('POST', '/onramp/orders', order(buyer.id, { amountUsdc: '100000' }));
  expect(res.status).toBe(201);
  const failed = await eventually(
    async () => {
      const got = await t.call('GET', `/onramp/orders/${res.body.responseObject.id}`);
      return got.body.responseObject.status === 'FAILED' && got.body.responseObject;
    },
    20_000,
    'the refused signal',
  );
  expect(failed.lastError).toEqual({ code: 'SIGNAL_REVERTED', message: 'Stellar refused the signal (op_underfunded)' });
  expect(failed.balanceId).toBeNull();
  await t.finished(onrampOrderWorkflowId(failed.id));
});

test('an order created again with the same Idempotency-Key is the same order (replayed), signalled once', async () => {
  const buyer = await t.s.activeUser(t.key);
  const send = () =>
    t.s.api.call('POST', '/api/v1/onramp/orders', {
      key: t.key,
      body: order(buyer.id, { amountUsdc: '2' }),
      headers: { 'idempotency-key': `onramp-${buyer.id}` },
    });
  const first = await send();
  const second = await send();
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.body.responseObject.id).toBe(first.body.responseObject.id);
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM onramp_orders WHERE buyer_id = $1', [buyer.id]);
  expect(rows[0].n).toBe(1);
});

test('unknown orders are ORDER_NOT_FOUND in 003’s envelope', async () => {
  const res = await t.call('GET', '/onramp/orders/onr_00000000000000000000000000');
  expect(res.status).toBe(404);
  expect(res.body).toEqual({
    success: false,
    message: 'Order doesn’t exist',
    responseObject: { errorCode: 'ORDER_NOT_FOUND', errorMessage: expect.any(String), canRetry: false },
  });
  const byIntent = await fulfil(`0x${'0'.repeat(64)}`, { identifier: 'x' });
  expect(byIntent.status).toBe(404);
  expect(byIntent.body.responseObject.errorCode).toBe('ORDER_NOT_FOUND');
});
