import { credit, reserve } from '../../src/ledger';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

let api: TestApi;
let key: string;
beforeAll(async () => {
  api = await startTestApi();
  key = await api.keyWith('read', 'write');
});
afterAll(() => api.close());

async function newUser(): Promise<string> {
  const res = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('bal'), type: 'BUYER' } });
  return res.body.data.id;
}

test('a new user has zero balances in every currency', async () => {
  const id = await newUser();
  const res = await api.call('GET', `/api/v1/users/${id}/balance`, { key });
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual({
    user_id: id,
    balances: [
      { currency: 'USD', available: '0', held: '0' },
      { currency: 'XLM', available: '0', held: '0' },
    ],
  });
});

test('a deposit of 100 then a reserve of 30.5 shows available 69.5 and held 30.5, with history newest first', async () => {
  const id = await newUser();
  const pool = testDatabase(1);
  try {
    await credit(pool.pool, {
      kind: 'deposit',
      key: `test:${id}:dep`,
      userId: id,
      amount: 100n * 10n ** 7n,
      currency: 'USD',
      related: { type: 'deposit', id: 'op_1' },
    });
    await reserve(pool.pool, {
      key: `test:${id}:res`,
      userId: id,
      amount: 305n * 10n ** 6n,
      currency: 'USD',
      related: { type: 'order', id: 'ord_x' },
    });
  } finally {
    await pool.close();
  }
  const bal = await api.call('GET', `/api/v1/users/${id}/balance`, { key });
  expect(bal.body.data.balances[0]).toEqual({ currency: 'USD', available: '69.5', held: '30.5' });

  const tx = await api.call('GET', `/api/v1/users/${id}/transactions?limit=2`, { key });
  expect(tx.status).toBe(200);
  expect(tx.body.data.map((t: any) => [t.type, t.bucket, t.amount, t.balance_after])).toEqual([
    ['reserve', 'reserved', '30.5', '30.5'],
    ['reserve', 'available', '-30.5', '69.5'],
  ]);
  expect(tx.body.data[0].related).toEqual({ type: 'order', id: 'ord_x' });
  expect(tx.body.pagination.has_more).toBe(true);
  const next = await api.call('GET', `/api/v1/users/${id}/transactions?limit=2&cursor=${tx.body.pagination.next_cursor}`, { key });
  expect(next.body.data.map((t: any) => [t.type, t.amount, t.balance_after])).toEqual([['deposit', '100', '100']]);
  expect(next.body.pagination).toEqual({ has_more: false, next_cursor: null });
});

test('balance and history of an unknown user answer 404 USER_NOT_FOUND', async () => {
  for (const path of ['balance', 'transactions']) {
    const res = await api.call('GET', `/api/v1/users/usr_00000000000000000000000000/${path}`, { key });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
  }
});

test('a bad history cursor or currency answers 400 VALIDATION_ERROR', async () => {
  const id = await newUser();
  for (const qs of ['cursor=zzz', 'currency=EUR', 'limit=500']) {
    const res = await api.call('GET', `/api/v1/users/${id}/transactions?${qs}`, { key });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  }
});
