import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { verifyLedger } from '../../src/ledger';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { reconcileEscrows } from '../../src/reconciliation/escrows';
import { trustlessWorkFromConfig } from '../../src/providers/trustless-work/client';
import { createStellarNetwork } from '../../src/stellar/network';
import { orderWorkflowId } from '../../workflows/ids';
import { resolveSignal } from '../../workflows/messages/order';
import { testDatabase } from '../helpers/db';
import { orderDriver } from '../helpers/escrow-orders';
import { recordHistory } from '../helpers/histories';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/** Disputes and their resolution (REST with the support scope, or a signal from the Temporal UI/CLI), and auto-release. */
let s: StellarStack;
let key: string;
let supportKey: string;
let drive: ReturnType<typeof orderDriver>;
let temporal: Connection;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startStellarStack({ PLATFORM_FEE_PERCENT: '2.5' });
  key = await s.api.keyWith('read', 'write');
  supportKey = await s.api.keyWith('read', 'support');
  drive = orderDriver(s, key, supportKey);
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
}, 60_000);
afterAll(async () => {
  await temporal?.close();
  await s?.stop();
  await db.close();
});

const tw = () => trustlessWorkFromConfig(loadConfig({ ...process.env, ...s.overrides }))!;

test('a dispute resolved by support as a 60/40 split: each party gets its part less fees, on chain and on the ledger', async () => {
  const buyer = await drive.party('40');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '40');
  const opened = await drive.dispute(id);
  expect(opened.status).toBe(201);
  expect(opened.body.data).toMatchObject({ order_id: id, opened_by: 'BUYER', status: 'OPEN', amount: '40', resolution: null });
  const disputeId = opened.body.data.id as string;
  expect(disputeId).toMatch(/^dsp_/);
  expect(await drive.orderView(id)).toMatchObject({ status: 'DISPUTED', escrow: { status: 'DISPUTED' }, dispute_id: disputeId });
  // Reconciliation reads the frozen contract's balance on chain: all 40 there, as the ledger says.
  const frozen = await reconcileEscrows(db.pool, tw(), { orderIds: [id] });
  expect([frozen.escrows, frozen.totals.ledger, frozen.totals.on_chain, frozen.totals.drift]).toEqual([1, '40', '40', '0']);
  // A ledger that disagrees with the chain by one stroop is reported.
  await db.pool.query(`UPDATE orders SET amount = amount + 1 WHERE id = $1`, [id]);
  const off = await reconcileEscrows(db.pool, tw(), { orderIds: [id] });
  await db.pool.query(`UPDATE orders SET amount = amount - 1 WHERE id = $1`, [id]);
  expect(off.drifted).toEqual([expect.objectContaining({ order_id: id, ledger: '40.0000001', on_chain: '40', drift: '-0.0000001' })]);
  const viaApi = await drive.get('/reconciliation/escrows', supportKey);
  expect(viaApi.status).toBe(200);
  expect(viaApi.body.data.drifted.map((l: { order_id: string }) => l.order_id)).not.toContain(id);

  // Disputes belong to support: a read/write key may not list or resolve them.
  expect((await drive.get('/disputes')).status).toBe(403);
  expect((await drive.post(`/disputes/${disputeId}/resolve`, { decision: 'FULL_REFUND', note: 'x' })).body.error.code).toBe(
    'INSUFFICIENT_SCOPE',
  );
  const listed = await drive.get(`/disputes?status=OPEN&order_id=${id}`, supportKey);
  expect(listed.body.data.map((d: { id: string; amount: string }) => [d.id, d.amount])).toEqual([[disputeId, '40']]);
  const assigned = await drive.post(`/disputes/${disputeId}/assign`, { assignee: 'agent-ana' }, undefined, supportKey);
  expect(assigned.body.data).toMatchObject({ id: disputeId, assigned_to: 'agent-ana', status: 'OPEN' });
  expect((await drive.get('/disputes/dsp_nope', supportKey)).body.error.code).toBe('DISPUTE_NOT_FOUND');

  // Amounts must add up to the escrowed 40.
  const wrong = await drive.resolve(disputeId, { decision: 'SPLIT', release_amount: '24', refund_amount: '15', note: 'partial delivery' });
  expect([wrong.status, wrong.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  const noAmounts = await drive.resolve(disputeId, { decision: 'SPLIT', note: 'partial delivery' });
  expect([noAmounts.status, noAmounts.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  expect((await drive.orderView(id)).status).toBe('DISPUTED');

  const resolved = await drive.resolve(disputeId, {
    decision: 'SPLIT',
    release_amount: '24',
    refund_amount: '16',
    note: 'partial delivery',
  });
  expect(resolved.status).toBe(200);
  expect(resolved.body.data).toMatchObject({
    status: 'RESOLVED',
    resolution: { decision: 'SPLIT', release_amount: '24', refund_amount: '16', note: 'partial delivery' },
  });
  // seller: 24 − 0.072 − 0.6 = 23.328; buyer: 16 − 0.048 − 0.4 = 15.552
  expect(await drive.orderView(id)).toMatchObject({
    status: 'CLOSED',
    escrow: { status: 'SPLIT', released_amount: '23.328', refunded_amount: '15.552', fees: { platform: '1', protocol: '0.12' } },
  });
  expect(await s.usdcBalance(seller.address)).toBe('23.3280000');
  expect(await s.usdcBalance(buyer.address)).toBe('15.5520000');
  expect(await s.balance(key, seller.id)).toEqual({ currency: 'USD', available: '23.328', held: '0' });
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '15.552', held: '0' });
  expect((await verifyLedger(db.pool)).ok).toBe(true);
  const custody = await reconcileCustody(db.pool, createStellarNetwork(loadConfig({ ...process.env, ...s.overrides })), {
    userIds: [buyer.id, seller.id],
  });
  expect(custody.totals.drift).toBe('0');
  expect((await reconcileEscrows(db.pool, tw(), { orderIds: [id] })).escrows).toBe(0);
  const events = await db.pool.query(`SELECT type FROM events WHERE resource_id IN ($1, $2) AND type NOT LIKE 'order.%' ORDER BY id`, [
    id,
    disputeId,
  ]);
  expect(events.rows.map((r) => r.type)).toEqual([
    'escrow.created',
    'escrow.funded',
    'dispute.opened',
    'escrow.disputed',
    'dispute.assigned',
    'dispute.resolving',
    'dispute.resolved',
    'escrow.split',
  ]);
  // Resolved is final.
  expect((await drive.resolve(disputeId, { decision: 'FULL_REFUND', note: 'again' })).status).toBe(409);
  await recordHistory('order-dispute-split', orderWorkflowId(id));
}, 120_000);

test('support resolves by signal (Temporal UI or CLI): an invalid signal is recorded as rejected and changes nothing; a valid one refunds', async () => {
  const buyer = await drive.party('12');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '12');
  const disputeId = (await drive.dispute(id, 'SELLER')).body.data.id as string;
  // The operator's client, as the Temporal UI or CLI identifies itself to the server.
  const handle = new Client({ connection: temporal, identity: 'support-alice@ops-cli' }).workflow.getHandle(orderWorkflowId(id));

  await handle.signal(resolveSignal, { decision: 'SPLIT', release_amount: '5', refund_amount: '5', note: 'does not add up' });
  const rejected = await eventually(
    async () => {
      const { rows } = await db.pool.query(`SELECT data FROM events WHERE resource_id = $1 AND type = 'order.command_rejected'`, [id]);
      return rows[0]?.data;
    },
    15_000,
    'the rejected signal event',
  );
  expect(rejected).toMatchObject({
    order_id: id,
    command: 'resolve',
    reason: 'release_amount and refund_amount must add up to the escrowed amount',
  });
  expect((await drive.orderView(id)).status).toBe('DISPUTED');

  // `resolved_by` in the arguments is the sender's to write: it is ignored for Temporal's record of who sent it.
  await handle.signal(resolveSignal, { decision: 'FULL_REFUND', note: 'seller agreed', resolved_by: 'someone-else@marketplace' });
  const order = await eventually(
    async () => {
      const o = await drive.orderView(id);
      return o.status === 'REFUNDED' && o;
    },
    30_000,
    'the refund by signal',
  );
  expect(order.escrow).toMatchObject({ status: 'REFUNDED', refunded_amount: '11.664', released_amount: '0' });
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '11.664', held: '0' });
  const dispute = (await drive.get(`/disputes/${disputeId}`, supportKey)).body.data;
  expect(dispute).toMatchObject({
    status: 'RESOLVED',
    opened_by: 'SELLER',
    resolution: { decision: 'FULL_REFUND', refund_amount: '12', release_amount: '0', resolved_by: 'temporal:support-alice@ops-cli' },
  });
  await recordHistory('order-resolved-by-signal', orderWorkflowId(id));
}, 120_000);

test('auto-release fires after delivery when nobody disputes, and a dispute opened first stops it', async () => {
  const buyer = await drive.party('20');
  const seller = await drive.party();
  const auto = await drive.funded(buyer.id, seller.id, '10', { auto_release_after: 2 });
  const held = await drive.funded(buyer.id, seller.id, '10', { auto_release_after: 2 });
  expect((await drive.post(`/orders/${auto}/deliver`, { evidence: 'done' })).status).toBe(200);
  expect((await drive.post(`/orders/${held}/deliver`, { evidence: 'done' })).status).toBe(200);
  expect((await drive.dispute(held)).status).toBe(201);

  const released = await eventually(
    async () => {
      const o = await drive.orderView(auto);
      return o.status === 'RELEASED' && o;
    },
    30_000,
    'the auto-release',
  );
  expect(released.escrow).toMatchObject({ status: 'RELEASED', released_amount: '9.72' });
  expect(released.transitions.map((t: { status: string }) => t.status).slice(-3)).toEqual(['DELIVERED', 'RELEASING', 'RELEASED']);
  await new Promise((r) => setTimeout(r, 2500));
  expect((await drive.orderView(held)).status).toBe('DISPUTED');
  expect(await s.usdcBalance(seller.address)).toBe('9.7200000');
  await recordHistory('order-auto-released', orderWorkflowId(auto));
}, 120_000);
