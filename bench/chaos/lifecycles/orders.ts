/**
 * Orders end to end through the REST API: parties with a deposit, create → reserve → escrow → fund, then each ending:
 * release after delivery, refund before it, a dispute resolved by support (full release, full refund, a split), a
 * cancel of the reservation, and the reservation's expiry. The steps on chain answer 202 with the order in flight;
 * the lifecycle then reads the order until the step's outcome (a refusal shows as `last_error` not retrying). At the
 * end the escrow's settlement and both balances must be exactly what the contract's fee rules give.
 */
import type { LifecycleContext } from '../types';
import type { Api } from './client';
import { type Trail, lifecycle, same } from './lifecycle';
import { decimal, drawAmount, drawShare, minor, payouts, percentBps } from './money';
import { activeUser, deposit, expectBalance, type User } from './parties';

const IN_FLIGHT = new Set(['ESCROW_CREATING', 'ESCROW_FUNDING', 'DELIVERING', 'RELEASING', 'REFUNDING', 'RESOLVING']);
const TERMINAL = new Set(['RELEASED', 'REFUNDED', 'CLOSED', 'CANCELLED']);

interface Order {
  id: string;
  buyer: User;
  seller: User;
  amount: bigint;
  deposited: bigint;
}

/** Reads the order until it is `target`; fails at a refusal (last_error not retrying) or another terminal status. */
async function reaching(api: Api, trail: Trail, id: string, target: string): Promise<any> {
  return api.until(`order ${id} ${target}`, async () => {
    const o = (await api.get(`/orders/${id}`)).body.data;
    trail.actual = o.status;
    if (o.status === target) return o;
    if (TERMINAL.has(o.status)) throw new Error(`order ${id} ended ${o.status} on its way to ${target}`);
    if (!IN_FLIGHT.has(o.status) && o.last_error && !o.last_error.retrying)
      throw new Error(`order ${id} back at ${o.status} on its way to ${target}: ${JSON.stringify(o.last_error)}`);
    return null;
  });
}

/** One step (`path` under the order) followed until the order is `target`. */
async function step(api: Api, trail: Trail, id: string, path: string, target: string, body?: object): Promise<any> {
  await api.postInTurn(`/orders/${id}${path}`, IN_FLIGHT, { body });
  return reaching(api, trail, id, target);
}

/** Buyer and seller, the buyer's deposit (the amount and a little more), the order created and its funds reserved. */
async function reserved(api: Api, trail: Trail, ctx: LifecycleContext): Promise<Order> {
  const amount = drawAmount(ctx.random, '1', '50');
  const deposited = minor(amount) + minor(drawAmount(ctx.random, '0', '5'));
  const [buyer, seller] = await Promise.all([activeUser(api), activeUser(api)]);
  await deposit(api, buyer, decimal(deposited));
  const created = await api.post('/orders', {
    body: { buyer_id: buyer.id, seller_id: seller.id, amount, currency: 'USD', title: 'Chaos order' },
  });
  const id: string = created.body.data.id;
  trail.id = id;
  trail.actual = created.body.data.status;
  trail.amounts = { order: minor(amount), deposited };
  await step(api, trail, id, '/reserve', 'FUNDS_RESERVED');
  await expectBalance(api, 'buyer', buyer.id, { available: deposited - minor(amount), held: minor(amount) });
  return { id, buyer, seller, amount: minor(amount), deposited };
}

/** Reserved, then escrowed and funded on chain (IN_PROGRESS). */
async function funded(api: Api, trail: Trail, ctx: LifecycleContext): Promise<Order> {
  const o = await reserved(api, trail, ctx);
  await step(api, trail, o.id, '/escrow', 'ESCROW_CREATED', { amount: decimal(o.amount), currency: 'USD' });
  await step(api, trail, o.id, '/escrow/fund', 'IN_PROGRESS');
  return o;
}

/** The escrow paid `release` to the seller and `refund` to the buyer, each net of its share of the fees, exactly. */
async function settled(api: Api, trail: Trail, o: Order, view: any, release: bigint, refund: bigint): Promise<void> {
  const [seller, buyer] = payouts([release, refund], percentBps(view.escrow.platform_fee_percent));
  const e = view.escrow;
  same(`order ${o.id} released_amount`, minor(e.released_amount), seller!.net);
  same(`order ${o.id} refunded_amount`, minor(e.refunded_amount), buyer!.net);
  same(`order ${o.id} platform fee`, minor(e.fees.platform), seller!.platform + buyer!.platform);
  same(`order ${o.id} protocol fee`, minor(e.fees.protocol), seller!.protocol + buyer!.protocol);
  await expectBalance(api, 'seller', o.seller.id, { available: seller!.net, held: 0n });
  await expectBalance(api, 'buyer', o.buyer.id, { available: o.deposited - o.amount + buyer!.net, held: 0n });
  Object.assign(trail.amounts, {
    seller_received: seller!.net,
    buyer_refunded: buyer!.net,
    platform_fee: seller!.platform + buyer!.platform,
    protocol_fee: seller!.protocol + buyer!.protocol,
  });
}

/** Opens a dispute (201 once open on chain) and has support resolve it with `decision`. */
async function disputed(api: Api, trail: Trail, o: Order, decision: object, target: string): Promise<any> {
  const opened = await api.postInTurn(`/orders/${o.id}/resolution/dispute`, IN_FLIGHT, {
    body: { opened_by: 'BUYER', reason: 'chaos: the work is disputed' },
  });
  await reaching(api, trail, o.id, 'DISPUTED');
  await api.postInTurn(`/disputes/${opened.body.data.id}/resolve`, IN_FLIGHT, {
    as: 'support',
    body: { ...decision, note: 'chaos resolution' },
  });
  return reaching(api, trail, o.id, target);
}

const delivered = async (api: Api, trail: Trail, o: Order) =>
  step(api, trail, o.id, '/deliver', 'DELIVERED', { evidence: 'https://example.com/chaos-delivery.zip' });

export const orderLifecycles = {
  'order.released': lifecycle('order.released', 'RELEASED', async (api, trail, ctx) => {
    const o = await funded(api, trail, ctx);
    await delivered(api, trail, o);
    const view = await step(api, trail, o.id, '/resolution/release', 'RELEASED');
    await settled(api, trail, o, view, o.amount, 0n);
  }),
  'order.refunded': lifecycle('order.refunded', 'REFUNDED', async (api, trail, ctx) => {
    const o = await funded(api, trail, ctx);
    const view = await step(api, trail, o.id, '/resolution/refund', 'REFUNDED');
    await settled(api, trail, o, view, 0n, o.amount);
  }),
  'order.dispute.release': lifecycle('order.dispute.release', 'RELEASED', async (api, trail, ctx) => {
    const o = await funded(api, trail, ctx);
    await delivered(api, trail, o);
    const view = await disputed(api, trail, o, { decision: 'FULL_RELEASE' }, 'RELEASED');
    await settled(api, trail, o, view, o.amount, 0n);
  }),
  'order.dispute.refund': lifecycle('order.dispute.refund', 'REFUNDED', async (api, trail, ctx) => {
    const o = await funded(api, trail, ctx);
    await delivered(api, trail, o);
    const view = await disputed(api, trail, o, { decision: 'FULL_REFUND' }, 'REFUNDED');
    await settled(api, trail, o, view, 0n, o.amount);
  }),
  'order.dispute.split': lifecycle('order.dispute.split', 'CLOSED', async (api, trail, ctx) => {
    const o = await funded(api, trail, ctx);
    await delivered(api, trail, o);
    const release = drawShare(ctx.random, o.amount);
    const decision = { decision: 'SPLIT', release_amount: decimal(release), refund_amount: decimal(o.amount - release) };
    const view = await disputed(api, trail, o, decision, 'CLOSED');
    if (view.escrow.status !== 'SPLIT') throw new Error(`order ${o.id} CLOSED with escrow ${view.escrow.status}, expected SPLIT`);
    await settled(api, trail, o, view, release, o.amount - release);
  }),
  'order.cancelled': lifecycle('order.cancelled', 'CANCELLED', async (api, trail, ctx) => {
    const o = await reserved(api, trail, ctx);
    await step(api, trail, o.id, '/cancel', 'CANCELLED');
    await expectBalance(api, 'buyer', o.buyer.id, { available: o.deposited, held: 0n });
    trail.amounts.reservation_returned = o.amount;
  }),
  /**
   * The reservation never funded: after ORDER_RESERVATION_TTL_MS the workflow releases it and the order ends
   * CANCELLED by itself (the product's expiry; ORDER_CREATED_TTL_MS covers only orders never reserved, which hold
   * no money).
   */
  'order.expired': lifecycle('order.expired', 'CANCELLED', async (api, trail, ctx) => {
    const o = await reserved(api, trail, ctx);
    const view = await reaching(api, trail, o.id, 'CANCELLED');
    const path = view.transitions.map((t: { status: string }) => t.status).join(' → ');
    if (path !== 'ORDER_CREATED → FUNDS_RESERVED → CANCELLED') throw new Error(`order ${o.id} went ${path}`);
    await expectBalance(api, 'buyer', o.buyer.id, { available: o.deposited, held: 0n });
    trail.amounts.reservation_returned = o.amount;
  }),
};
