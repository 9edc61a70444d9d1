import { freePort } from '../../devstack/net';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

let s: StellarStack;
let key: string;
let metricsUrl: string;
beforeAll(async () => {
  s = await startStellarStack({}, { inProcessWorker: false });
  key = await s.api.keyWith('read', 'write');
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await s.startWorkerProcess({ WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` });
}, 90_000);
afterAll(() => s?.stop());

test('the worker process serves Temporal’s SDK metrics for Prometheus on WORKER_METRICS_ADDRESS', async () => {
  // A wallet activation runs a workflow task and an activity on this worker.
  await s.activeUser(key);
  const text = await eventually(
    async () => {
      const res = await fetch(metricsUrl).catch(() => null);
      const body = res?.ok ? await res.text() : '';
      return body.includes('temporal_activity_execution_latency') && body;
    },
    20_000,
    'the activity latency metric',
  );
  // Names from Temporal's core SDK metrics (docs.temporal.io, "SDK metrics"): task latency, schedule-to-start, failures.
  expect(text).toMatch(/^temporal_workflow_task_execution_latency_(bucket|sum|count)\{/m);
  expect(text).toMatch(/^temporal_activity_schedule_to_start_latency_(bucket|sum|count)\{/m);
  expect(text).toMatch(/^temporal_activity_execution_latency_count\{[^}]*activity_type="activateWallet"[^}]*\} [1-9]/m);
  expect(text).toMatch(/task_queue="[^"]+"/);
});
