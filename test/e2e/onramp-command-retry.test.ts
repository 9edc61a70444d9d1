import type { ChildProcess } from 'node:child_process';
import { eventually } from '../helpers/stellar-stack';
import { type OnrampStack, signalledWithWorkerDown, startOnrampStack } from '../helpers/onramp';

/**
 * A support cancel answered 504 while no worker ran (its Idempotency-Key then frees: "retry with the same key"), whose
 * update was admitted and ran once a worker came back: retried with the same key it answers the cancel's outcome, not
 * 409 INVALID_STATE for the CANCELLED it caused itself. Found by `npm run chaos` (K=200: a cancel whose API was killed
 * mid-request, retried once the key's claim was abandoned). Orders' steps have the same rule (order-step-retry.test.ts).
 */
let t: OnrampStack;
beforeAll(async () => {
  t = await startOnrampStack({ WORKFLOW_UPDATE_TIMEOUT_MS: '1500' }, { inProcessWorker: false });
}, 90_000);
afterAll(async () => {
  await t?.stop();
});

test('a cancel answered 504, retried with its key once it ran, answers 200 CANCELLED; another key is refused INVALID_STATE', async () => {
  const { order: o } = await signalledWithWorkerDown(t);

  const cancel = (idem: string) =>
    t.s.api.call('POST', `/api/v1/onramp/orders/${o.id}/cancel`, { key: t.supportKey, headers: { 'idempotency-key': idem } });
  const first = await cancel('cancel-after-timeout');
  expect(first.status).toBe(504);

  const worker: ChildProcess = await t.s.startWorkerProcess();
  await eventually(
    async () => (await t.call('GET', `/onramp/orders/${o.id}`)).body.responseObject.status === 'CANCELLED',
    60_000,
    'the admitted cancel',
  );
  const retried = await cancel('cancel-after-timeout');
  expect([retried.status, retried.body.success, retried.body.responseObject?.status]).toEqual([200, true, 'CANCELLED']);
  const other = await cancel('another');
  expect([other.status, other.body.responseObject?.errorCode]).toEqual([409, 'INVALID_STATE']);
  worker.kill('SIGKILL');
}, 180_000);
