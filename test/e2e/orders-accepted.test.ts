import { testDatabase } from '../helpers/db';
import { unique } from '../helpers/app';
import { orderDriver } from '../helpers/escrow-orders';
import { recordHistory } from '../helpers/histories';
import { orderWorkflowId } from '../../workflows/ids';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * Steps on chain answer once the order's workflow accepted them (issue 13, "Accept now, finish later"): 202 with the
 * order in flight; the outcome on GET and as an event; `Prefer: wait=<seconds>` (RFC 7240 §4.3) for the final state;
 * the same Idempotency-Key answers the step's current state; refusals still answer at once.
 */
let s: StellarStack;
let key: string;
let supportKey: string;
let drive: ReturnType<typeof orderDriver>;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startStellarStack();
  key = await s.api.keyWith('read', 'write');
  supportKey = await s.api.keyWith('read', 'support');
  drive = orderDriver(s, key, supportKey);
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

/** A POST as a marketplace sends it: an Idempotency-Key, and a Prefer header only when given. */
const send = (path: string, body?: object, opts: { idem?: string; prefer?: string; as?: string } = {}) =>
  s.api.call('POST', `/api/v1${path}`, {
    key: opts.as ?? key,
    body,
    headers: { 'idempotency-key': opts.idem ?? unique('idem'), ...(opts.prefer ? { prefer: opts.prefer } : {}) },
  });
const statusOf = async (id: string) => (await drive.orderView(id)).status as string;
const settled = (id: string, status: string) => eventually(async () => (await statusOf(id)) === status, 60_000, `order ${status}`);

test('escrow, fund and release answer 202 in flight; each outcome shows on the order and as an event; a replay answers the state now', async () => {
  const buyer = await drive.party('20');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '20');

  const idem = unique('create');
  const created = await send(`/orders/${id}/escrow`, { amount: '20', currency: 'USD' }, { idem });
  expect([created.status, created.body.data.order_status, created.headers.get('preference-applied')]).toEqual([
    202,
    'ESCROW_CREATING',
    null,
  ]);
  await settled(id, 'ESCROW_CREATED');
  const replay = await send(`/orders/${id}/escrow`, { amount: '20', currency: 'USD' }, { idem });
  expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.data.status, replay.body.data.order_status]).toEqual([
    200,
    'true',
    'CREATED',
    'ESCROW_CREATED',
  ]);

  const funded = await send(`/orders/${id}/escrow/fund`);
  expect([funded.status, funded.body.data.order_status]).toEqual([202, 'ESCROW_FUNDING']);
  await settled(id, 'IN_PROGRESS');
  // A refusal is still answered at once, whatever the preference: the step is not in the state machine's way.
  const again = await send(`/orders/${id}/escrow/fund`);
  expect([again.status, again.body.error.code, again.body.error.details.current_status]).toEqual([409, 'INVALID_STATE', 'IN_PROGRESS']);

  const deliverIdem = unique('deliver');
  const delivering = await send(`/orders/${id}/deliver`, { evidence: 'https://example.com/work.zip' }, { idem: deliverIdem });
  expect([delivering.status, delivering.body.data.status]).toEqual([202, 'DELIVERING']);
  await settled(id, 'DELIVERED');
  const deliveredReplay = await send(`/orders/${id}/deliver`, { evidence: 'https://example.com/work.zip' }, { idem: deliverIdem });
  expect([deliveredReplay.status, deliveredReplay.headers.get('idempotent-replayed'), deliveredReplay.body.data.status]).toEqual([
    200,
    'true',
    'DELIVERED',
  ]);
  const released = await send(`/orders/${id}/resolution/release`);
  expect([released.status, released.body.data.order_status]).toEqual([202, 'RELEASING']);
  await settled(id, 'RELEASED');
  const { rows } = await db.pool.query(`SELECT type FROM events WHERE resource_id = $1 AND type LIKE 'escrow.%' ORDER BY id`, [id]);
  expect(rows.map((r) => r.type)).toEqual(['escrow.created', 'escrow.funded', 'escrow.released']);
  await recordHistory('order-delivered-in-flight', orderWorkflowId(id));
}, 120_000);

test('Prefer: wait answers the final state (200, Preference-Applied), capped at 60 seconds', async () => {
  const buyer = await drive.party('9');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '9');
  const created = await send(`/orders/${id}/escrow`, { amount: '9', currency: 'USD' }, { prefer: 'wait=9999' });
  expect([created.status, created.headers.get('preference-applied'), created.body.data.status, created.body.data.order_status]).toEqual([
    200,
    'wait=60',
    'CREATED',
    'ESCROW_CREATED',
  ]);
  const funded = await send(`/orders/${id}/escrow/fund`, undefined, { prefer: 'respond-async, wait=30' });
  expect([funded.status, funded.headers.get('preference-applied'), funded.body.data.order_status]).toEqual([200, 'wait=30', 'IN_PROGRESS']);
}, 120_000);

test('a dispute resolution by support answers 202 while the payout runs, then the dispute is RESOLVED', async () => {
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '10');
  const dispute = await drive.dispute(id);
  expect(dispute.status).toBe(201);
  const res = await send(
    `/disputes/${dispute.body.data.id}/resolve`,
    { decision: 'FULL_REFUND', note: 'not delivered' },
    { as: supportKey },
  );
  expect([res.status, res.body.data.id]).toEqual([202, dispute.body.data.id]);
  await settled(id, 'REFUNDED');
  const after = await s.api.call('GET', `/api/v1/disputes/${dispute.body.data.id}`, { key: supportKey });
  expect(after.body.data.status).toBe('RESOLVED');
}, 120_000);
