import type { ChildProcess } from 'node:child_process';
import { orderDriver } from '../helpers/escrow-orders';
import { testDatabase } from '../helpers/db';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * After a worker crash an order's read model can be ahead of its workflow: the projection of a step's outcome (a local
 * activity) was written, but the workflow task that ran it was lost with the worker, so until the recovering workflow
 * redoes that task it still holds the in-flight status. A client that read the new status and sends the next step must
 * not be refused for a status the order has already left (found by the chaos runs: "fund" refused 409 naming
 * ESCROW_CREATING while GET showed ESCROW_CREATED). The API gives the workflow a moment to catch up with its read model.
 */
let s: StellarStack;
let key: string;
let drive: ReturnType<typeof orderDriver>;
const db = testDatabase();
beforeAll(async () => {
  s = await startStellarStack({}, { inProcessWorker: false });
  key = await s.api.keyWith('read', 'write');
  drive = orderDriver(s, key);
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

test('a step sent while the workflow is behind its read model waits for it and is accepted', async () => {
  let worker: ChildProcess = await s.startWorkerProcess();
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '10');
  // The escrow step is accepted (ESCROW_CREATING), then the worker dies before its outcome is recorded.
  const accepted = await s.api.call('POST', `/api/v1/orders/${id}/escrow`, {
    key,
    body: { amount: '10', currency: 'USD' },
    headers: { 'idempotency-key': `escrow-${id}` },
  });
  expect(accepted.status).toBe(202);
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  expect((await drive.orderView(id)).status).toBe('ESCROW_CREATING');
  // The read model shows the outcome (as the lost task's projection left it; same version, so the real one still lands).
  await db.pool.query(`UPDATE orders SET status = 'ESCROW_CREATED' WHERE id = $1 AND status = 'ESCROW_CREATING'`, [id]);
  expect((await drive.orderView(id)).status).toBe('ESCROW_CREATED');

  worker = await s.startWorkerProcess();
  // The workflow still holds ESCROW_CREATING until its escrow step's lost attempt times out and runs again.
  const fund = await s.api.call('POST', `/api/v1/orders/${id}/escrow/fund`, { key, headers: { 'idempotency-key': `fund-${id}` } });
  // Accepted once the workflow caught up (the answer is the escrow, as every funding answers).
  expect([fund.status, fund.body.error?.code, fund.body.data?.status]).toEqual([202, undefined, 'CREATED']);
  await eventually(async () => (await drive.orderView(id)).status === 'IN_PROGRESS', 60_000, 'the funding');
  worker.kill('SIGKILL');
}, 120_000);

test('a step the read model does not allow either is refused at once, naming the workflow status', async () => {
  const worker = await s.startWorkerProcess();
  try {
    const buyer = await drive.party('10');
    const seller = await drive.party();
    const id = await drive.reserved(buyer.id, seller.id, '10');
    const started = Date.now();
    const fund = await s.api.call('POST', `/api/v1/orders/${id}/escrow/fund`, { key, headers: { 'idempotency-key': `fund-${id}` } });
    expect([fund.status, fund.body.error?.code, fund.body.error?.details?.current_status]).toEqual([
      409,
      'INVALID_STATE',
      'FUNDS_RESERVED',
    ]);
    expect(Date.now() - started).toBeLessThan(3000);
  } finally {
    worker.kill('SIGKILL');
  }
}, 120_000);
