import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { credit } from '../../src/ledger';
import { startWorker } from '../../worker/worker';
import { orderWorkflowId } from '../../workflows/ids';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { eventually, quietTemporalRuntime } from '../helpers/stellar-stack';
import { recordHistory } from '../helpers/histories';

/** Orders as workflows: creation, reserve, cancel, refusals and the reservation's expiry (no chain needed yet). */
let api: TestApi;
let key: string;
let worker: Awaited<ReturnType<typeof startWorker>>;
let temporal: Connection;
const db = testDatabase(2);
const overrides = { TEMPORAL_TASK_QUEUE: unique('orders-tq'), ORDER_RESERVATION_TTL_MS: '2000' };

beforeAll(async () => {
  quietTemporalRuntime();
  api = await startTestApi(overrides);
  key = await api.keyWith('read', 'write');
  worker = await startWorker({
    config: loadConfig({ ...process.env, ...overrides }),
    taskQueue: overrides.TEMPORAL_TASK_QUEUE,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    depositWatcher: false,
  });
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await temporal?.close();
  await db.close();
});

async function party(funds?: bigint): Promise<string> {
  const res = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('party'), type: 'BOTH' } });
  const id = res.body.data.id as string;
  if (funds) await credit(db.pool, { kind: 'deposit', key: unique('fund'), userId: id, amount: funds, currency: 'USD' });
  return id;
}
const USD = (n: number) => BigInt(n) * 10_000_000n;
const balance = async (id: string) => (await api.call('GET', `/api/v1/users/${id}/balance`, { key })).body.data.balances[0];
const post = (path: string, body?: object, idem = unique('idem')) =>
  api.call('POST', `/api/v1${path}`, { key, body, headers: { 'idempotency-key': idem } });
const historyLength = async (orderId: string) => {
  const history = await new Client({ connection: temporal }).workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  return history.events?.length ?? 0;
};

async function newOrder(buyer: string, seller: string, amount = '30') {
  const res = await post('/orders', {
    buyer_id: buyer,
    seller_id: seller,
    amount,
    currency: 'USD',
    title: 'Logo design',
    metadata: { project: 'p-1' },
  });
  expect(res.status).toBe(201);
  return res.body.data;
}

test('an order is created as ORDER_CREATED with its transitions, and reserving moves the buyer’s funds to held', async () => {
  const buyer = await party(USD(100));
  const seller = await party();
  const created = await newOrder(buyer, seller);
  expect(created).toMatchObject({
    buyer_id: buyer,
    seller_id: seller,
    amount: '30',
    currency: 'USD',
    status: 'ORDER_CREATED',
    escrow: { status: null },
    metadata: { project: 'p-1' },
  });
  expect(created.id).toMatch(/^ord_/);
  expect(created.transitions.map((t: { status: string }) => t.status)).toEqual(['ORDER_CREATED']);

  const reserved = await post(`/orders/${created.id}/reserve`);
  expect(reserved.status).toBe(200);
  expect(reserved.body.data.status).toBe('FUNDS_RESERVED');
  expect(reserved.body.data.transitions.map((t: { status: string }) => t.status)).toEqual(['ORDER_CREATED', 'FUNDS_RESERVED']);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '70', held: '30' });

  const listed = await api.call('GET', `/api/v1/orders?buyer_id=${buyer}&status=FUNDS_RESERVED`, { key });
  expect(listed.body.data.map((o: { id: string }) => o.id)).toEqual([created.id]);
  // Operators find it in the Temporal UI by its typed search attributes, and read its memo.
  const client = new Client({ connection: temporal });
  const found = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({
        query: `OrderStatus = 'FUNDS_RESERVED' AND BuyerId = '${buyer}' AND SellerId = '${seller}'`,
      }))
        ids.push(wf.workflowId);
      return ids.length > 0 && ids;
    },
    15_000,
    'visibility of the order',
  );
  expect(found).toEqual([orderWorkflowId(created.id)]);
  const described = await client.workflow.getHandle(orderWorkflowId(created.id)).describe();
  expect(String(described.memo?.summary)).toMatch(/^FUNDS_RESERVED/);
  const { rows } = await db.pool.query(`SELECT type, data FROM events WHERE resource_id = $1 ORDER BY id`, [created.id]);
  expect(rows.map((r) => [r.type, r.data.status])).toEqual([
    ['order.created', 'ORDER_CREATED'],
    ['order.status_changed', 'FUNDS_RESERVED'],
  ]);
});

test('a transition that is not allowed answers 409 INVALID_STATE with the current status and adds nothing to the workflow history', async () => {
  const buyer = await party(USD(100));
  const order = await newOrder(buyer, await party());
  expect((await post(`/orders/${order.id}/reserve`)).status).toBe(200);
  const before = await historyLength(order.id);
  const again = await post(`/orders/${order.id}/reserve`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('INVALID_STATE');
  expect(again.body.error.details).toMatchObject({ current_status: 'FUNDS_RESERVED', allowed_from: ['ORDER_CREATED'] });
  expect(await historyLength(order.id)).toBe(before);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '70', held: '30' });
});

test('cancelling a reserved order returns the reservation; a cancelled order refuses everything', async () => {
  const buyer = await party(USD(50));
  const order = await newOrder(buyer, await party(), '50');
  await post(`/orders/${order.id}/reserve`);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '0', held: '50' });
  const cancelled = await post(`/orders/${order.id}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.data.status).toBe('CANCELLED');
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '50', held: '0' });
  const after = await post(`/orders/${order.id}/reserve`);
  expect(after.status).toBe(409);
  expect(after.body.error.details.current_status).toBe('CANCELLED');
  await recordHistory('order-reserve-cancel', orderWorkflowId(order.id));
});

test('two API keys sending one Idempotency-Key string to one order: key B’s cancel runs (CANCELLED, reservation back) instead of answering key A’s reserve', async () => {
  const other = await api.keyWith('read', 'write');
  const buyer = await party(USD(30));
  const order = await newOrder(buyer, await party(), '30');
  const idem = unique('shared');
  const reserved = await post(`/orders/${order.id}/reserve`, undefined, idem);
  expect([reserved.status, reserved.body.data.status]).toEqual([200, 'FUNDS_RESERVED']);
  const cancel = () => api.call('POST', `/api/v1/orders/${order.id}/cancel`, { key: other, headers: { 'idempotency-key': idem } });
  const cancelled = await cancel();
  expect([cancelled.status, cancelled.headers.get('idempotent-replayed'), cancelled.body.data.status]).toEqual([200, null, 'CANCELLED']);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '30', held: '0' });
  // Key B's stored outcome is its own cancel.
  const replayed = await cancel();
  expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.data.status]).toEqual([200, 'true', 'CANCELLED']);
});

test('after its window, one Idempotency-Key sent to reserve and then to cancel runs the cancel, not a replay of the reserve', async () => {
  const buyer = await party(USD(12));
  const order = await newOrder(buyer, await party(), '12');
  const idem = unique('reused');
  expect((await post(`/orders/${order.id}/reserve`, undefined, idem)).status).toBe(200);
  await db.pool.query('DELETE FROM idempotency_keys WHERE key = $1', [idem]); // the 7 days have passed
  const cancelled = await post(`/orders/${order.id}/cancel`, undefined, idem);
  expect([cancelled.status, cancelled.body.data.status]).toEqual([200, 'CANCELLED']);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '12', held: '0' });
});

test('after its window, an order key sent with another body creates another order; the same body finds the first one again', async () => {
  const buyer = await party();
  const seller = await party();
  const idem = unique('order-key');
  const body = (amount: string) => ({ buyer_id: buyer, seller_id: seller, amount, currency: 'USD', title: 'Logo design' });
  const first = await post('/orders', body('30'), idem);
  expect(first.status).toBe(201);
  await db.pool.query('DELETE FROM idempotency_keys WHERE key = $1', [idem]); // the 7 days have passed
  const other = await post('/orders', body('45'), idem);
  expect(other.status).toBe(201);
  expect(other.headers.get('idempotent-replayed')).toBeNull();
  expect(other.body.data.id).not.toBe(first.body.data.id);
  expect([other.body.data.amount, other.body.data.status]).toEqual(['45', 'ORDER_CREATED']);
  await db.pool.query('DELETE FROM idempotency_keys WHERE key = $1', [idem]);
  const late = await post('/orders', body('30'), idem);
  expect([late.status, late.body.data.id, late.body.data.amount]).toEqual([201, first.body.data.id, '30']);
});

test('reserving more than the buyer has answers 422 INSUFFICIENT_FUNDS and the order stays ORDER_CREATED', async () => {
  const buyer = await party(USD(10));
  const order = await newOrder(buyer, await party(), '10.0000001');
  const res = await post(`/orders/${order.id}/reserve`);
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('INSUFFICIENT_FUNDS');
  expect(res.body.error.details).toMatchObject({ available: '10', requested: '10.0000001' });
  expect((await api.call('GET', `/api/v1/orders/${order.id}`, { key })).body.data.status).toBe('ORDER_CREATED');
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '10', held: '0' });
});

test('the same reserve sent twice with one Idempotency-Key reserves once', async () => {
  const buyer = await party(USD(40));
  const order = await newOrder(buyer, await party(), '15');
  const idem = unique('idem');
  const [a, b] = await Promise.all([
    post(`/orders/${order.id}/reserve`, undefined, idem),
    post(`/orders/${order.id}/reserve`, undefined, idem),
  ]);
  expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([200]));
  for (const r of [a, b]) expect([200, 409]).toContain(r.status);
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '25', held: '15' });
});

test('a reservation never funded expires: the funds come back and the order is CANCELLED', async () => {
  const buyer = await party(USD(20));
  const order = await newOrder(buyer, await party(), '20');
  await post(`/orders/${order.id}/reserve`);
  const cancelled = await eventually(
    async () => {
      const o = (await api.call('GET', `/api/v1/orders/${order.id}`, { key })).body.data;
      return o.status === 'CANCELLED' && o;
    },
    15_000,
    'reservation expiry',
  );
  expect(cancelled.transitions.map((t: { status: string }) => t.status)).toEqual(['ORDER_CREATED', 'FUNDS_RESERVED', 'CANCELLED']);
  await recordHistory('order-reservation-expired', orderWorkflowId(order.id));
  expect(await balance(buyer)).toEqual({ currency: 'USD', available: '20', held: '0' });
});

test('with no worker running, an update answers 504 PROVIDER_TIMEOUT instead of hanging, and changes nothing', async () => {
  const idle = await startTestApi({ TEMPORAL_TASK_QUEUE: unique('no-worker'), WORKFLOW_UPDATE_TIMEOUT_MS: '1500' });
  try {
    const idleKey = await idle.keyWith('read', 'write');
    const buyer = await party(USD(5));
    const created = await idle.call('POST', '/api/v1/orders', {
      key: idleKey,
      body: { buyer_id: buyer, seller_id: await party(), amount: '5', currency: 'USD', title: 't' },
    });
    expect(created.status).toBe(201);
    const res = await idle.call('POST', `/api/v1/orders/${created.body.data.id}/reserve`, { key: idleKey });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('PROVIDER_TIMEOUT');
    expect(await balance(buyer)).toEqual({ currency: 'USD', available: '5', held: '0' });
  } finally {
    await idle.close();
  }
});

test('order input is validated: unknown users 404, same buyer and seller 400, bad amount 400', async () => {
  const buyer = await party();
  expect(
    (await post('/orders', { buyer_id: buyer, seller_id: 'usr_00000000000000000000000000', amount: '1', currency: 'USD', title: 't' })).body
      .error.code,
  ).toBe('USER_NOT_FOUND');
  const same = await post('/orders', { buyer_id: buyer, seller_id: buyer, amount: '1', currency: 'USD', title: 't' });
  expect(same.status).toBe(400);
  expect(same.body.error.details.fields[0].field).toBe('body.seller_id');
  const bad = await post('/orders', { buyer_id: buyer, seller_id: await party(), amount: '1.00000001', currency: 'USD', title: 't' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.fields[0].field).toBe('body.amount');
  expect((await api.call('GET', '/api/v1/orders/ord_00000000000000000000000000', { key })).body.error.code).toBe('ORDER_NOT_FOUND');
});
