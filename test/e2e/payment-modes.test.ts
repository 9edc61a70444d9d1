import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { startApi } from '../../api/server';
import { ConfigError, loadConfig } from '../../src/config';
import { credit } from '../../src/ledger';
import { parseAmount } from '../../src/money';
import { startWorker } from '../../worker/worker';
import { depositWatcherId } from '../../workflows/ids';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { quietTemporalRuntime } from '../helpers/stellar-stack';

/**
 * PAYMENT_PROVIDER: `crypto` refuses the Airtm routes, `airtm` the Stellar ones (409 PROVIDER_NOT_ENABLED, nothing
 * held); `airtm` refuses to start without Airtm's settings; the worker starts the deposit watcher only with crypto.
 */
const db = testDatabase(2);
const apis: TestApi[] = [];
let temporal: Connection;
beforeAll(async () => {
  quietTemporalRuntime();
  temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
});
afterAll(async () => {
  for (const api of apis) await api.close();
  await temporal.close();
  await db.close();
});

async function apiIn(mode: string): Promise<{ api: TestApi; key: string }> {
  const api = await startTestApi({ PAYMENT_PROVIDER: mode, TEMPORAL_TASK_QUEUE: unique('modes') });
  apis.push(api);
  return { api, key: await api.keyWith('read', 'write') };
}

async function userWith10(api: TestApi, key: string): Promise<string> {
  const res = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('mode'), type: 'BOTH' } });
  const id = res.body.data.id as string;
  await credit(db.pool, { kind: 'top_up', key: `mode-topup:${id}`, userId: id, currency: 'USD', amount: parseAmount('10') });
  return id;
}

const withdraw = (api: TestApi, key: string, body: object) =>
  api.call('POST', '/api/v1/withdrawals', { key, body, headers: { 'idempotency-key': unique('idem') } });

test('crypto: an Airtm payout and its commit and cancel are 409 PROVIDER_NOT_ENABLED, and nothing is held', async () => {
  const { api, key } = await apiIn('crypto');
  const user = await userWith10(api, key);
  const res = await withdraw(api, key, {
    user_id: user,
    amount: '1',
    currency: 'USD',
    destination: { type: 'airtm', email: 'a@example.com' },
  });
  expect(res.status).toBe(409);
  expect(res.body.error).toMatchObject({ code: 'PROVIDER_NOT_ENABLED', details: { provider: 'airtm', enabled: ['crypto'] } });
  for (const step of ['commit', 'cancel']) {
    const refused = await api.call('POST', `/api/v1/withdrawals/wd_${'0'.repeat(26)}/${step}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PROVIDER_NOT_ENABLED');
  }
  const balance = await api.call('GET', `/api/v1/users/${user}/balance`, { key });
  expect(balance.body.data.balances[0]).toEqual({ currency: 'USD', available: '10', held: '0' });
});

test('airtm: a Stellar withdrawal and the deposit address are 409 PROVIDER_NOT_ENABLED, and nothing is held', async () => {
  const { api, key } = await apiIn('airtm');
  const user = await userWith10(api, key);
  const res = await withdraw(api, key, {
    user_id: user,
    amount: '1',
    currency: 'USD',
    destination: { type: 'stellar', address: 'GBBM6BKZPEHWYO3E3YKREDPQXMS4VK35YLNU7NFBRI26RAN7GI5POFBB' },
  });
  expect(res.status).toBe(409);
  expect(res.body.error).toMatchObject({ code: 'PROVIDER_NOT_ENABLED', details: { provider: 'crypto', enabled: ['airtm'] } });
  const deposit = await api.call('GET', `/api/v1/users/${user}/wallet/deposit`, { key });
  expect(deposit.status).toBe(409);
  expect(deposit.body.error.code).toBe('PROVIDER_NOT_ENABLED');
  const balance = await api.call('GET', `/api/v1/users/${user}/balance`, { key });
  expect(balance.body.data.balances[0]).toEqual({ currency: 'USD', available: '10', held: '0' });
});

test('airtm: the API and the worker refuse to start without the webhook secret (or any Airtm setting)', async () => {
  for (const missing of ['AIRTM_WEBHOOK_SECRET', 'AIRTM_API_URL']) {
    const config = loadConfig({ ...process.env, PAYMENT_PROVIDER: 'airtm', [missing]: undefined, PORT: '0', METRICS_PORT: '0' });
    await expect(startApi(config)).rejects.toThrow(ConfigError);
    await expect(startApi(config)).rejects.toThrow(new RegExp(`${missing}: is required but not set`));
    await expect(startWorker({ config })).rejects.toThrow(new RegExp(`${missing}: is required but not set`));
  }
});

test('the worker starts the deposit watcher only when crypto is enabled', async () => {
  const client = new Client({ connection: temporal });
  for (const [mode, watching] of [
    ['airtm', false],
    ['crypto', true],
  ] as const) {
    const taskQueue = unique(`modes-${mode}`);
    const config = loadConfig({ ...process.env, PAYMENT_PROVIDER: mode, TEMPORAL_TASK_QUEUE: taskQueue, WORKER_METRICS_ADDRESS: '' });
    const worker = await startWorker({ config, taskQueue, workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE });
    try {
      const described = await client.workflow
        .getHandle(depositWatcherId(taskQueue))
        .describe()
        .then(
          () => true,
          (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
        );
      expect([mode, described]).toEqual([mode, watching]);
    } finally {
      if (watching) await client.workflow.getHandle(depositWatcherId(taskQueue)).terminate('test over');
      await worker.stop();
    }
  }
});
