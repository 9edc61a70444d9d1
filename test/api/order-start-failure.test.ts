import { testDatabase } from '../helpers/db';
import { startTestApi, type TestApi, unique } from '../helpers/app';

/**
 * POST /orders when starting the order's workflow fails without a definite answer: the workflow may exist, so the
 * order row stays and a retry with the same Idempotency-Key finds it (and starts the workflow if it is missing).
 */
let api: TestApi;
let unreachable: TestApi;
let key: string;
const database = testDatabase(2);

beforeAll(async () => {
  api = await startTestApi();
  // The same database, a Temporal frontend that cannot be reached (nothing listens on port 1).
  unreachable = await startTestApi({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
  key = await api.keyWith('read', 'write');
}, 60_000);

afterAll(async () => {
  await unreachable?.close();
  await api?.close();
  await database.close();
});

async function user(): Promise<string> {
  const res = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('u'), type: 'BOTH' } });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

test('a start that cannot reach Temporal answers 503, keeps the order row, and the same Idempotency-Key then answers 201 with that order', async () => {
  const [buyer, seller] = [await user(), await user()];
  const body = { buyer_id: buyer, seller_id: seller, amount: '12.50', currency: 'USD', title: 'Logo' };
  const idem = unique('idem');

  const failed = await unreachable.call('POST', '/api/v1/orders', { key, body, headers: { 'idempotency-key': idem } });
  expect(failed.status).toBe(503);
  expect(failed.body.error.code).toBe('SERVICE_UNAVAILABLE');
  const { rows } = await database.pool.query<{ id: string; status: string }>('SELECT id, status FROM orders WHERE buyer_id = $1', [buyer]);
  expect(rows).toEqual([{ id: expect.stringMatching(/^ord_/), status: 'ORDER_CREATED' }]);

  const retried = await api.call('POST', '/api/v1/orders', { key, body, headers: { 'idempotency-key': idem } });
  expect(retried.status).toBe(201);
  expect(retried.body.data).toMatchObject({ id: rows[0].id, status: 'ORDER_CREATED', amount: '12.5' });
  const again = await database.pool.query('SELECT id FROM orders WHERE buyer_id = $1', [buyer]);
  expect(again.rowCount).toBe(1);
});
