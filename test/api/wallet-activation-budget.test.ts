import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createDatabase, type Database } from '../../src/db/client';
import { createUser } from '../../src/users/users-repository';
import { walletSealer } from '../../src/wallets/wallet-keys';
import { ensureWallet } from '../../src/wallets/wallets';
import { walletWorkflowId } from '../../workflows/ids';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { isolatedDatabaseUrl } from '../helpers/db';

/** Budgets count per day across the whole table, so this suite has a database of its own. */
let api: TestApi;
let db: Database;
let temporal: Connection;
beforeAll(async () => {
  const url = await isolatedDatabaseUrl('activation_budget');
  db = createDatabase(url, 2);
  api = await startTestApi({ DATABASE_URL: url, WALLET_ACTIVATIONS_PER_KEY_PER_DAY: '2', WALLET_ACTIVATIONS_PER_DAY: '3' });
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
});
afterAll(async () => {
  await api?.close();
  await db?.close();
  await temporal?.close();
});

const createUserWith = (key: string) =>
  api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('budget'), type: 'BUYER' } });

test('reading a deposit address with the read scope starts no activation', async () => {
  const user = await createUser(db.db, { externalUserId: unique('reader'), type: 'BUYER' });
  await ensureWallet(db.db, walletSealer(api.config), user.id);
  const reader = await api.keyWith('read');
  const res = await api.call('GET', `/api/v1/users/${user.id}/wallet/deposit`, { key: reader });
  expect(res.status).toBe(200);
  expect(res.body.data.status).toBe('PENDING');
  // Not given out before its account exists on chain: a payment to it would fail.
  expect(res.body.data.address).toBeNull();
  await expect(new Client({ connection: temporal }).workflow.getHandle(walletWorkflowId(user.id)).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
  // Activating needs the write scope.
  expect((await api.call('POST', `/api/v1/users/${user.id}/wallet/activate`, { key: reader })).status).toBe(403);
});

test('each API key may start WALLET_ACTIVATIONS_PER_KEY_PER_DAY activations; the next user creation answers 429 and creates nothing', async () => {
  const key = await api.keyWith('read', 'write');
  expect((await createUserWith(key)).status).toBe(201);
  expect((await createUserWith(key)).status).toBe(201);
  const externalId = unique('refused');
  const refused = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: externalId, type: 'BUYER' } });
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('RATE_LIMITED');
  expect(refused.body.error.details).toMatchObject({ budget: 'wallet_activations_per_key_per_day', limit: 2 });
  expect(Date.parse(refused.body.error.details.resets_at)).toBeGreaterThan(Date.now());
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM users WHERE external_user_id = $1', [externalId]);
  expect(rows[0].n).toBe(0);
});

test('all keys together stop at WALLET_ACTIVATIONS_PER_DAY, and a refused or failed creation gives its activation back', async () => {
  const other = await api.keyWith('read', 'write');
  // The previous test spent 2 of the platform's 3; a duplicate external id is refused and spends nothing.
  const first = await createUserWith(other);
  expect(first.status).toBe(201);
  const duplicate = await api.call('POST', '/api/v1/users', { key: other, body: { external_user_id: unique('dup'), type: 'BUYER' } });
  expect(duplicate.status).toBe(429);
  expect(duplicate.body.error.details).toMatchObject({ budget: 'wallet_activations_per_day', limit: 3 });
  const { rows } = await db.pool.query(`SELECT principal, count FROM wallet_activation_budget WHERE principal = '*'`);
  expect(rows).toEqual([{ principal: '*', count: 3 }]);
  const metrics = await (await fetch(`${api.metricsUrl}/metrics`)).text();
  expect(metrics).toMatch(/^wallet_activations_total\{outcome="refused_key_budget"\} 1$/m);
  expect(metrics).toMatch(/^wallet_activations_total\{outcome="refused_platform_budget"\} 1$/m);
  expect(metrics).toMatch(/^wallet_activations_total\{outcome="started"\} 3$/m);
});

test('a user that already exists is refused with 409 and gives its activation back', async () => {
  const isolated = await startTestApi({
    DATABASE_URL: db.pool.options.connectionString!,
    WALLET_ACTIVATIONS_PER_KEY_PER_DAY: '5',
    WALLET_ACTIVATIONS_PER_DAY: '100',
  });
  try {
    const key = await isolated.keyWith('read', 'write');
    const body = { external_user_id: unique('twice'), type: 'BUYER' };
    expect((await isolated.call('POST', '/api/v1/users', { key, body })).status).toBe(201);
    const again = await isolated.call('POST', '/api/v1/users', { key, body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USER_ALREADY_EXISTS');
    const principal = (await db.pool.query(`SELECT id FROM api_keys ORDER BY created_at DESC LIMIT 1`)).rows[0].id;
    const { rows } = await db.pool.query(`SELECT count FROM wallet_activation_budget WHERE principal = $1`, [principal]);
    expect(rows).toEqual([{ count: 1 }]);
  } finally {
    await isolated.close();
  }
});
