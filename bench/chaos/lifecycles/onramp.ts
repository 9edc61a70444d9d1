/**
 * On-ramp orders (document 003) through the REST API and the payment platform sandbox over HTTP: a merchant of its
 * own (registered by support, funded from the faucet with exactly the order's USDC), a buyer, an order whose signal
 * locks the merchant's USDC in a claimable balance, and then
 *  - fulfilled: the buyer pays the quoted fiat, the platform's witness signs its proof, the proof claims the USDC;
 *  - rejected: the buyer underpays and then forges the proof of a full payment (its claim edited after signing); both
 *    are PROOF_INVALID and change nothing. Such an order never takes a valid proof, so it ends only by expiry or by
 *    support: document 003's SIGNAL_MINED → CANCELLED, which our API gives support (POST …/cancel, scope `support`).
 *    Support cancels it (CANCELLED; EXPIRED when the expiry came first) and the merchant's USDC goes back on chain at once, instead of staying locked
 *    until ONRAMP_ORDER_TTL_MS; the expiry path is `onramp.expired`'s;
 *  - expired: nobody pays; after ONRAMP_ORDER_TTL_MS the merchant reclaims its USDC (EXPIRED).
 * The buyer's balance and wallet and the merchant's USDC must then be exact.
 */
import crypto from 'node:crypto';
import type { Api } from './client';
import { errorCode, Refused } from './client';
import { type Trail, lifecycle, same } from './lifecycle';
import { decimal, drawAmount, minor } from './money';
import { activeUser, expectBalance, usdcOnChain, type User } from './parties';

const TERMINAL = new Set(['FULFILLED', 'CANCELLED', 'EXPIRED', 'FAILED']);
const AWAITING_PROOF = new Set(['SIGNAL_MINED', 'PAYMENT_SENT']);
const PLATFORM = 'venmo';

interface OnrampOrder {
  id: string;
  intentHash: string;
  fiatAmount: string;
  handle: string;
  buyer: User;
  merchant: string;
  amount: bigint;
}

const order = async (api: Api, id: string) => (await api.get(`/onramp/orders/${id}`)).body.responseObject;

/** A merchant registered by support, ACTIVE on chain, holding `usdc` from the faucet. */
async function merchant(api: Api, handle: string, usdc: string): Promise<{ id: string; address: string }> {
  const res = await api.post('/onramp/merchants', { as: 'support', body: { name: 'Chaos merchant', handles: { [PLATFORM]: handle } } });
  const id: string = res.body.responseObject.id;
  const address = await api.until(`merchant ${id} active`, async () => {
    const m = (await api.get(`/onramp/merchants/${id}`)).body.responseObject;
    return m.status === 'ACTIVE' && (m.address as string);
  });
  const paid = await api.sandbox('USDC faucet', api.endpoints.stellar.usdcFaucetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address, amount: usdc }),
  });
  if (paid.status >= 300) throw new Refused(`the USDC faucet answered ${paid.status}: ${paid.text}`);
  await api.until(`merchant ${id} funded`, async () => (await usdcOnChain(api, address)) === minor(usdc));
  return { id, address };
}

/** Merchant, buyer and an order whose intent is mined: the merchant's USDC is all in the claimable balance. */
async function signalled(api: Api, trail: Trail, random: () => number): Promise<OnrampOrder> {
  const amount = drawAmount(random, '1', '100');
  const handle = `@chaos-${crypto.randomUUID().slice(0, 12)}`;
  const [m, buyer] = await Promise.all([merchant(api, handle, amount), activeUser(api)]);
  const created = await api.post('/onramp/orders', {
    body: {
      merchantId: m.id,
      buyerId: buyer.id,
      amountUsdc: amount,
      paymentPlatform: PLATFORM,
      fiatCurrency: 'USD',
      conversionRate: '1',
      recipient: handle,
    },
  });
  const id: string = created.body.responseObject.id;
  trail.id = id;
  trail.amounts = { order: minor(amount) };
  const o = await api.until(`on-ramp order ${id} signal mined`, async () => {
    const now = await order(api, id);
    trail.actual = now.status;
    if (TERMINAL.has(now.status)) throw new Error(`on-ramp order ${id} ended ${now.status} before its signal was mined`);
    return AWAITING_PROOF.has(now.status) && now;
  });
  same(`merchant ${m.address} USDC once locked`, await usdcOnChain(api, m.address), 0n);
  return { id, intentHash: o.intentHash, fiatAmount: o.quote.fiatAmount, handle, buyer, merchant: m.address, amount: minor(amount) };
}

/** A payment declared on the payment platform, and its proof signed by the platform's witness. */
async function proofOfPayment(api: Api, o: OnrampOrder, amount: string): Promise<any> {
  const declared = await api.sandbox('payment platform', `${api.endpoints.paymentPlatformUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: PLATFORM,
      amount,
      currency: 'USD',
      recipient: o.handle,
      senderHandle: '@chaos-buyer',
      intentHash: o.intentHash,
    }),
  });
  if (declared.status !== 201) throw new Refused(`the payment platform answered ${declared.status}: ${declared.text.slice(0, 300)}`);
  const proof = await api.sandbox('payment proof', declared.body.proofUrl);
  if (proof.status !== 200) throw new Refused(`the payment proof answered ${proof.status}: ${proof.text.slice(0, 300)}`);
  return proof.body;
}

/**
 * POST /onramp/orders/fulfill (no Idempotency-Key: a retry after a lost answer reads ORDER_ALREADY_FULFILLED), its
 * answer whatever it is except a rate limit; with `faults: 'retried'` the client also asks again through 5xx.
 */
const fulfil = (api: Api, o: OnrampOrder, proof: unknown, faults: 'answered' | 'retried') =>
  api.post('/onramp/orders/fulfill', {
    body: { intentHash: o.intentHash, proof },
    accept: (s) => s !== 429 && (faults === 'answered' || s < 500),
  });

/** Reads the order until it is terminal. */
const ended = (api: Api, trail: Trail, id: string) =>
  api.until(`on-ramp order ${id} terminal`, async () => {
    const now = await order(api, id);
    trail.actual = now.status;
    return TERMINAL.has(now.status) && now;
  });

/** Nothing reached the buyer and the merchant holds its USDC again. */
async function returned(api: Api, trail: Trail, o: OnrampOrder): Promise<void> {
  await expectBalance(api, 'buyer', o.buyer.id, { available: 0n, held: 0n });
  same(`buyer wallet ${o.buyer.address} USDC`, await usdcOnChain(api, o.buyer.address), 0n);
  same(`merchant ${o.merchant} USDC`, await usdcOnChain(api, o.merchant), o.amount);
  trail.amounts.credited = 0n;
}

export const onrampLifecycles = {
  'onramp.fulfilled': lifecycle('onramp.fulfilled', 'FULFILLED', async (api, trail, ctx) => {
    const o = await signalled(api, trail, ctx.random);
    await api.post(`/onramp/orders/${o.id}/payment-sent`);
    const proof = await proofOfPayment(api, o, o.fiatAmount);
    for (;;) {
      const res = await fulfil(api, o, proof, 'answered');
      const code = errorCode(res);
      if (res.status === 200 || code === 'ORDER_ALREADY_FULFILLED') break;
      if (res.status < 500) throw new Refused(`POST /onramp/orders/fulfill answered ${res.status}: ${res.text.slice(0, 500)}`);
      // A fault or a claim not confirmed in time: what the order says decides (still awaiting its proof: send it again).
      const now = await api.until(`on-ramp order ${o.id} settled after ${res.status}`, async () => {
        const v = await order(api, o.id);
        trail.actual = v.status;
        return (TERMINAL.has(v.status) || AWAITING_PROOF.has(v.status)) && v;
      });
      if (TERMINAL.has(now.status)) break;
      await api.pause(1000);
    }
    const end = await ended(api, trail, o.id);
    if (end.status !== 'FULFILLED') throw new Error(`on-ramp order ${o.id} ${end.status}: ${JSON.stringify(end.lastError ?? null)}`);
    await expectBalance(api, 'buyer', o.buyer.id, { available: o.amount, held: 0n });
    same(`buyer wallet ${o.buyer.address} USDC`, await usdcOnChain(api, o.buyer.address), o.amount);
    same(`merchant ${o.merchant} USDC`, await usdcOnChain(api, o.merchant), 0n);
    trail.amounts.credited = o.amount;
  }),
  'onramp.rejected': lifecycle('onramp.rejected', 'CANCELLED', async (api, trail, ctx) => {
    const o = await signalled(api, trail, ctx.random);
    await api.post(`/onramp/orders/${o.id}/payment-sent`);
    const underpaid = await proofOfPayment(api, o, decimal(minor(o.fiatAmount) - minor('0.01')));
    // The same claim edited after signing to show the full amount: its witness signature no longer holds.
    const context = JSON.parse(underpaid.claimData.context);
    context.extractedParameters.amount = o.fiatAmount;
    const forged = { ...underpaid, claimData: { ...underpaid.claimData, context: JSON.stringify(context) } };
    for (const [what, proof] of [
      ['an underpayment', underpaid],
      ['a forged proof', forged],
    ] as const) {
      const res = await fulfil(api, o, proof, 'retried');
      const code = errorCode(res);
      if (res.status !== 422 || code !== 'PROOF_INVALID')
        throw new Error(`${what} answered ${res.status} ${code ?? ''}, expected 422 PROOF_INVALID: ${res.text.slice(0, 300)}`);
    }
    const open = await order(api, o.id);
    trail.actual = open.status;
    if (!AWAITING_PROOF.has(open.status)) throw new Error(`on-ramp order ${o.id} ${open.status} after two refused proofs`);
    await expectBalance(api, 'buyer', o.buyer.id, { available: 0n, held: 0n });
    const cancel = await api.post(`/onramp/orders/${o.id}/cancel`, { as: 'support', accept: (s) => s < 300 || s === 409 });
    const end = await ended(api, trail, o.id);
    // Refused only when the expiry came first (the cancel may wait out a killed API's claim on its key for 120 s): the
    // rejected order then ends as an unpaid one does, EXPIRED, with the same money back to the merchant.
    if (cancel.status === 409 && end.status === 'EXPIRED') trail.expected = 'EXPIRED';
    else if (cancel.status === 409) throw new Refused(`POST /onramp/orders/${o.id}/cancel answered 409: ${cancel.text.slice(0, 300)}`);
    await returned(api, trail, o);
  }),
  'onramp.expired': lifecycle('onramp.expired', 'EXPIRED', async (api, trail, ctx) => {
    const o = await signalled(api, trail, ctx.random);
    await ended(api, trail, o.id);
    await returned(api, trail, o);
  }),
};
