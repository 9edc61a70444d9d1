import type { ChildProcess } from 'node:child_process';
import { orderDriver } from '../helpers/escrow-orders';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * A step that ends the order, retried with the same Idempotency-Key after a 504 PROVIDER_TIMEOUT ("the request may
 * still complete — retry with the same Idempotency-Key"): the first update was admitted and ran once a worker came
 * back, so the retry must answer that step's outcome, not 409 INVALID_STATE for the terminal status it caused itself.
 * Found by the chaos lifecycles (a resolve retried after a worker crash answered "cannot resolve an order in REFUNDED").
 */
let s: StellarStack;
let key: string;
let drive: ReturnType<typeof orderDriver>;
beforeAll(async () => {
  s = await startStellarStack({ WORKFLOW_UPDATE_TIMEOUT_MS: '1500' }, { inProcessWorker: false });
  key = await s.api.keyWith('read', 'write');
  drive = orderDriver(s, key);
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

test('a release answered 504 while no worker ran, retried with its key once it is done, answers RELEASED', async () => {
  let worker: ChildProcess = await s.startWorkerProcess();
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '10');
  expect((await drive.post(`/orders/${id}/deliver`, { evidence: 'done' })).status).toBe(200);
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));

  const idem = 'release-after-timeout';
  const first = await s.api.call('POST', `/api/v1/orders/${id}/resolution/release`, { key, headers: { 'idempotency-key': idem } });
  expect([first.status, first.body.error?.code]).toEqual([504, 'PROVIDER_TIMEOUT']);

  worker = await s.startWorkerProcess();
  await eventually(async () => (await drive.orderView(id)).status === 'RELEASED', 30_000, 'the admitted release');
  const retried = await s.api.call('POST', `/api/v1/orders/${id}/resolution/release`, { key, headers: { 'idempotency-key': idem } });
  expect([retried.status, retried.body.data?.status, retried.body.error?.code]).toEqual([200, 'RELEASED', undefined]);
  // Another key is another request: the order is over.
  const other = await s.api.call('POST', `/api/v1/orders/${id}/resolution/release`, { key, headers: { 'idempotency-key': 'another' } });
  expect([other.status, other.body.error?.code]).toEqual([409, 'INVALID_STATE']);
}, 120_000);
