import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { MAX_REQUESTS_PER_STEP, escrowStepsPerSecond } from '../../src/providers/trustless-work/request-budget';
import { escrowTaskQueue, orderWorkflowId } from '../../workflows/ids';
import { orderDriver } from '../helpers/escrow-orders';
import { recordHistory } from '../helpers/histories';
import { startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * The orchestrator keeps itself under Trustless Work's limit (50 requests a minute per key, docs api-rest/introduction)
 * by dispatching escrow steps from their own task queue no faster than the limit allows at the most requests a step
 * makes. This suite counts each step's requests through a proxy in front of the Trustless Work sandbox: the bound the
 * dispatch rate relies on must hold.
 */
const seen: string[] = [];
let target = '';
const proxy = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
});

let s: StellarStack;
let drive: ReturnType<typeof orderDriver>;
beforeAll(async () => {
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  s = await startStellarStack({ TRUSTLESS_WORK_URL: `http://127.0.0.1:${port}` });
  target = s.trustlessWork.url;
  drive = orderDriver(s, await s.api.keyWith('read', 'write'));
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await new Promise((resolve) => proxy.close(resolve));
});

/** The Trustless Work requests one REST step made (the API answers once the step is done). */
async function requestsOf(path: string, body?: object): Promise<string[]> {
  const before = seen.length;
  const res = await drive.post(path, body);
  expect(res.status).toBe(200);
  return seen.slice(before);
}

test('the dispatch rate: 50 requests a minute at 4 requests a step is one step every 4.8 s', () => {
  expect(MAX_REQUESTS_PER_STEP).toBe(4);
  expect(escrowStepsPerSecond(50)).toBeCloseTo(50 / 60 / 4, 12);
  expect(1 / escrowStepsPerSecond(50)).toBeCloseTo(4.8, 12);
});

test('no escrow step makes more Trustless Work requests than the pacing assumes, and the steps run on the Trustless Work queue', async () => {
  const buyer = await drive.party('50');
  const seller = await drive.party();
  const released = await drive.reserved(buyer.id, seller.id, '10');
  const refunded = await drive.reserved(buyer.id, seller.id, '10');
  const steps: Record<string, string[]> = {};
  for (const id of [released, refunded]) {
    steps[`${id}:create`] = await requestsOf(`/orders/${id}/escrow`, { amount: '10', currency: 'USD' });
    steps[`${id}:fund`] = await requestsOf(`/orders/${id}/escrow/fund`);
  }
  steps.deliver = await requestsOf(`/orders/${released}/deliver`, { evidence: 'https://example.com/work.zip' });
  steps.release = await requestsOf(`/orders/${released}/resolution/release`);
  steps.refund = await requestsOf(`/orders/${refunded}/resolution/refund`);

  const counts = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k.replace(/^.*:/, ''), v.length]));
  expect(counts).toEqual({ create: 3, fund: 2, deliver: 2, release: 4, refund: 4 });
  expect(Math.max(...Object.values(steps).map((v) => v.length))).toBeLessThanOrEqual(MAX_REQUESTS_PER_STEP);
  expect(steps.release.map((r) => r.replace(/\?.*$/, ''))).toEqual([
    'POST /escrow/single-release/v2/approve-milestone',
    'POST /indexer/update-from-txHash',
    'POST /escrow/single-release/v2/release-funds',
    'POST /indexer/update-from-txHash',
  ]);

  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const history = await new Client({ connection }).workflow.getHandle(orderWorkflowId(released)).fetchHistory();
    const scheduled = history
      .events!.filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes!);
    const escrowSteps = scheduled.filter((a) => /Escrow|Delivered/.test(a.activityType?.name ?? ''));
    expect(escrowSteps.map((a) => a.activityType?.name)).toEqual([
      'createEscrowContract',
      'fundOrderEscrow',
      'markOrderDelivered',
      'releaseOrderEscrow',
    ]);
    expect(new Set(escrowSteps.map((a) => a.taskQueue?.name))).toEqual(new Set([escrowTaskQueue(s.overrides.TEMPORAL_TASK_QUEUE)]));
  } finally {
    await connection.close();
  }
  await recordHistory('order-released-paced', orderWorkflowId(released));
}, 120_000);
