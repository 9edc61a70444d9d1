import type { ChildProcess } from 'node:child_process';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { emit, eventFamily, Receiver, until } from './harness';

/**
 * A worker process killed (SIGKILL) in the middle of a stream of deliveries, and another started: the receiver gets
 * every event, in order, and the log records exactly one 2xx per event. The one event whose 2xx the dead worker got
 * but never recorded may arrive twice (same webhook-id): that is the at-least-once edge receivers deduplicate on.
 */
const overrides = {
  TEMPORAL_TASK_QUEUE: unique('tq-webhooks-crash'),
  WEBHOOKS_ALLOW_INSECURE_URLS: 'true',
  WEBHOOK_RETRY_SCHEDULE_MS: '0,100,200,300,400,500',
};
let api: TestApi;
let receiver: Receiver;
const workers: ChildProcess[] = [];

async function startWorkerProcess(): Promise<ChildProcess> {
  const child = await spawnWorkerProcess(overrides);
  workers.push(child);
  return child;
}

beforeAll(async () => {
  api = await startTestApi(overrides);
  receiver = await new Receiver().start();
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await receiver.stop();
  await api.close();
});

test('killed mid-stream and replaced, the worker delivers every event in order and records one 2xx per event', async () => {
  const key = await api.keyWith('read', 'write');
  const first = await startWorkerProcess();
  const family = eventFamily();
  const created = await api.call('POST', '/api/v1/webhooks', { key, body: { url: receiver.url, events: [`${family}.*`] } });
  expect(created.status).toBe(201);
  receiver.secrets.push(created.body.data.secret);
  const id: string = created.body.data.id;
  receiver.delayMs = 20; // a slow receiver, so the kill lands mid-stream
  for (let n = 0; n < 30; n++) await emit(api, `${family}.created`, n);
  await until(() => receiver.received.length >= 8, 30_000, 'the first deliveries');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  await startWorkerProcess();
  await emit(api, `${family}.created`, 30);
  await until(() => new Set(receiver.received.map((x) => x.verified!.id)).size >= 31, 60_000, 'every event');

  expect(receiver.received.every((x) => x.verified !== null)).toBe(true);
  const arrivals = receiver.received.map((x) => x.verified!.data.n as number);
  const distinct = arrivals.filter((n, i) => i === 0 || n !== arrivals[i - 1]); // an immediate repeat is the one edge
  expect(distinct).toEqual(Array.from({ length: 31 }, (_, n) => n));
  expect(arrivals.length - distinct.length).toBeLessThanOrEqual(1);

  type Attempt = { event_id: string; status_code: number };
  const accepted = async () =>
    ((await api.call('GET', `/api/v1/webhooks/${id}/deliveries?limit=100`, { key })).body.data as Attempt[]).filter(
      (d) => d.status_code === 200,
    );
  await until(async () => (await accepted()).length >= 31, 20_000, 'the last attempt recorded'); // recorded just after the answer
  const ok = (await accepted()).map((d) => d.event_id);
  expect(ok).toHaveLength(31);
  expect(new Set(ok).size).toBe(31);
  await api.call('DELETE', `/api/v1/webhooks/${id}`, { key });
}, 180_000);
