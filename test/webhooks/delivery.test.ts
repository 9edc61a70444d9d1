import { Webhook } from 'standardwebhooks';
import { latestEventId } from '../../src/events/events-repository';
import { newId } from '../../src/ids';
import { newWebhookSecret } from '../../src/webhooks/signing';
import { secretBinding, webhookWorkflowId } from '../../src/webhooks/webhook-ids';
import { deleteEndpoint, insertEndpoint } from '../../src/webhooks/webhooks-repository';
import { recordHistory } from '../helpers/histories';
import { emit, eventFamily, Receiver, startWebhookStack, until } from './harness';

/**
 * Deliveries end to end: the real API registers endpoints, the real worker runs their delivery workflows, and local
 * receivers verify every delivery with the Standard Webhooks reference library (`standardwebhooks`' Webhook.verify)
 * using the secret from the create answer. The retry schedule is short here (0, 100, 200, 300 ms: four attempts);
 * the real schedule's arithmetic is test/webhooks/retry-schedule.test.ts.
 */
let stack: Awaited<ReturnType<typeof startWebhookStack>>;
let key: string;
const receivers: Receiver[] = [];
const endpoints: string[] = [];
const OVERLAP_MS = 1500;

beforeAll(async () => {
  stack = await startWebhookStack({ WEBHOOK_SECRET_OVERLAP_MS: String(OVERLAP_MS) });
  key = await stack.api.keyWith('read', 'write');
}, 60_000);

afterAll(async () => {
  for (const id of endpoints) await stack.api.call('DELETE', `/api/v1/webhooks/${id}`, { key });
  await stack.stop();
  for (const r of receivers) await r.stop();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

/** Registers `r` for `<family>.*`; the receiver learns the secret from the create answer. */
async function register(r: Receiver, family: string): Promise<string> {
  const res = await stack.api.call('POST', '/api/v1/webhooks', { key, body: { url: r.url, events: [`${family}.*`] } });
  expect(res.status).toBe(201);
  r.secrets.push(res.body.data.secret);
  endpoints.push(res.body.data.id);
  return res.body.data.id;
}

async function endpoint(id: string) {
  const res = await stack.api.call('GET', `/api/v1/webhooks/${id}`, { key });
  expect(res.status).toBe(200);
  return res.body.data;
}

async function deliveries(id: string, query = '') {
  const res = await stack.api.call('GET', `/api/v1/webhooks/${id}/deliveries${query}`, { key });
  expect(res.status).toBe(200);
  return res.body;
}

/** The endpoint's attempts once `n` are recorded (a receiver has its answer a moment before the attempt is recorded). */
async function recorded(id: string, n: number) {
  await until(async () => (await deliveries(id, '?limit=100')).data.length >= n, 20_000, `${n} recorded attempts`);
  return (await deliveries(id, '?limit=100')).data;
}

/** Ids of the events a receiver accepted (2xx), in arrival order. */
const acceptedIds = (r: Receiver) => r.accepted().map((x) => x.verified!.id);
const accepted = (r: Receiver, n: number) => () => r.accepted().length >= n;

/** Emits a last event and waits for it: whatever was to arrive before it has arrived. */
async function drain(r: Receiver, family: string, count: number): Promise<void> {
  await emit(stack.api, `${family}.sentinel`, 999);
  await until(accepted(r, count + 1), 20_000, 'the sentinel');
}

test('each matching event arrives once, in event-id order, verified by the reference library with the create answer’s secret', async () => {
  const r = await receiver();
  const family = eventFamily();
  const id = await register(r, family);
  for (let n = 0; n < 10; n++) await emit(stack.api, n % 2 ? `${family}.paid` : `${family}.created`, n);
  await emit(stack.api, `${eventFamily()}.created`, 100); // another family: not for this endpoint
  await drain(r, family, 10);

  expect(r.received).toHaveLength(11);
  expect(r.received.every((x) => x.verified !== null)).toBe(true);
  const ids = acceptedIds(r);
  expect(new Set(ids).size).toBe(11);
  expect([...ids].sort()).toEqual(ids);
  expect(r.accepted().map((x) => x.verified!.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 999]);
  expect(r.received.every((x) => x.headers['webhook-id'] === x.verified!.id)).toBe(true);
  expect(r.received[0].headers['content-type']).toBe('application/json');

  const attempts = await recorded(id, 11);
  expect(attempts).toHaveLength(11);
  expect(attempts.every((d: { status_code: number; attempt: number }) => d.status_code === 200 && d.attempt === 1)).toBe(true);
  expect(attempts.map((d: { event_id: string }) => d.event_id)).toEqual([...ids].reverse()); // newest first
});

test('a receiver that answers 500 for a while gets each event later, once, in order; the attempts are recorded', async () => {
  const r = await receiver();
  r.answer = () => ({ status: r.received.length < 3 ? 500 : 200 }); // the first three requests fail
  const family = eventFamily();
  const id = await register(r, family);
  for (let n = 0; n < 3; n++) await emit(stack.api, `${family}.created`, n);
  await drain(r, family, 3);

  const first = r.received[0].verified!.id;
  expect(r.received.slice(0, 4).map((x) => x.verified!.id)).toEqual([first, first, first, first]); // later events waited
  expect(r.received.slice(0, 4).map((x) => x.status)).toEqual([500, 500, 500, 200]);
  expect(r.accepted().map((x) => x.verified!.data.n)).toEqual([0, 1, 2, 999]);
  expect(new Set(acceptedIds(r)).size).toBe(4);

  const attempts = (await recorded(id, 7)).filter((d: { event_id: string }) => d.event_id === first).reverse();
  expect(attempts.map((d: { attempt: number; status_code: number }) => [d.attempt, d.status_code])).toEqual([
    [1, 500],
    [2, 500],
    [3, 500],
    [4, 200],
  ]);
  expect(attempts[0].next_attempt_at).not.toBeNull();
  expect(attempts[3].next_attempt_at).toBeNull();
  expect((await endpoint(id)).status).toBe('active');
});

test('a 410 Gone disables the endpoint at once and its workflow ends', async () => {
  const r = await receiver();
  r.answer = () => ({ status: 410 });
  const family = eventFamily();
  const id = await register(r, family);
  await emit(stack.api, `${family}.created`, 0);
  await emit(stack.api, `${family}.created`, 1);
  await until(async () => (await endpoint(id)).status === 'disabled', 20_000, 'the endpoint disabled');

  const e = await endpoint(id);
  expect(e.disabled_reason).toMatch(/^the receiver answered 410 Gone to evt_\d{16}$/);
  const client = await stack.api.deps.temporal.client();
  await until(async () => (await client.workflow.getHandle(webhookWorkflowId(id)).describe()).status.name === 'COMPLETED');
  expect(r.received).toHaveLength(1); // one attempt, and not the second event
  const [attempt] = await recorded(id, 1);
  const retry = await stack.api.call('POST', `/api/v1/webhooks/${id}/deliveries/${attempt.id}/retry`, { key });
  expect([retry.status, retry.body.error.code]).toEqual([409, 'INVALID_STATE']);
  await recordHistory('webhook-delivery-gone', webhookWorkflowId(id));
});

test('an event that fails every attempt of the schedule disables the endpoint, with the reason', async () => {
  const r = await receiver();
  r.answer = () => ({ status: 500 });
  const family = eventFamily();
  const id = await register(r, family);
  await emit(stack.api, `${family}.created`, 0);
  await until(async () => (await endpoint(id)).status === 'disabled', 20_000, 'the endpoint disabled');

  expect((await endpoint(id)).disabled_reason).toMatch(/^all 4 attempts to deliver evt_\d{16} failed \(last: HTTP 500\)$/);
  const attempts = await recorded(id, 4);
  expect(attempts.map((d: { attempt: number }) => d.attempt)).toEqual([4, 3, 2, 1]);
  expect(attempts[0].next_attempt_at).toBeNull();
  expect(r.received).toHaveLength(4);
  const client = await stack.api.deps.temporal.client();
  await until(async () => (await client.workflow.getHandle(webhookWorkflowId(id)).describe()).status.name === 'COMPLETED');
  await recordHistory('webhook-delivery-exhausted', webhookWorkflowId(id));
});

test('Retry-After on a 429 holds the next attempt back that long (not the schedule’s 100 ms)', async () => {
  const r = await receiver();
  r.answer = () => (r.received.length === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
  const family = eventFamily();
  const id = await register(r, family);
  await emit(stack.api, `${family}.created`, 0);
  await until(accepted(r, 1), 20_000, 'the delivery');

  const [second, first] = await recorded(id, 2);
  expect([first.status_code, second.status_code]).toEqual([429, 200]);
  const planned = Date.parse(first.next_attempt_at) - Date.parse(first.created_at);
  expect(planned).toBeGreaterThanOrEqual(950); // 1 s from the attempt's end; created_at is the database's clock
  expect(r.received[1].at - r.received[0].at).toBeGreaterThanOrEqual(1000);
});

test('after a rotation both secrets verify until the overlap ends; then the old one alone fails', async () => {
  const r = await receiver();
  const family = eventFamily();
  const id = await register(r, family);
  const [oldSecret] = r.secrets;
  await emit(stack.api, `${family}.created`, 0);
  await until(accepted(r, 1));
  expect(r.received[0].verifiedBy).toEqual([oldSecret]);

  const rotated = await stack.api.call('POST', `/api/v1/webhooks/${id}/rotate-secret`, { key });
  expect(rotated.status).toBe(200);
  const newSecret: string = rotated.body.data.secret;
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(oldSecret);
  r.secrets.push(newSecret);
  const expires = Date.parse(rotated.body.data.previous_secret_expires_at);
  await emit(stack.api, `${family}.created`, 1);
  await until(accepted(r, 2));
  const during = r.received[1];
  expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
  expect(during.verifiedBy).toEqual([oldSecret, newSecret]);

  await until(() => Date.now() > expires + 50, OVERLAP_MS + 2000, 'the overlap to end');
  expect((await endpoint(id)).previous_secret_expires_at).toBeNull();
  await emit(stack.api, `${family}.created`, 2);
  await until(accepted(r, 3));
  const after = r.received[2];
  expect(after.verifiedBy).toEqual([newSecret]);
  expect(() => new Webhook(oldSecret).verify(after.body, after.headers)).toThrow('No matching signature found');
});

test('a delivery is redelivered on request as a new manual attempt; the list pages with a cursor', async () => {
  const r = await receiver();
  const family = eventFamily();
  const id = await register(r, family);
  await emit(stack.api, `${family}.created`, 0);
  await until(accepted(r, 1));
  const [original] = await recorded(id, 1);

  const retried = await stack.api.call('POST', `/api/v1/webhooks/${id}/deliveries/${original.id}/retry`, { key });
  expect(retried.status).toBe(201);
  expect(retried.body.data).toMatchObject({ event_id: original.event_id, attempt: 2, manual: true, status_code: 200, webhook_id: id });
  expect(r.received.map((x) => x.verified!.id)).toEqual([original.event_id, original.event_id]);

  const first = await deliveries(id, '?limit=1');
  expect(first.data.map((d: { id: string }) => d.id)).toEqual([retried.body.data.id]);
  expect(first.pagination.has_more).toBe(true);
  const second = await deliveries(id, `?limit=1&cursor=${first.pagination.next_cursor}`);
  expect(second.data.map((d: { id: string }) => d.id)).toEqual([original.id]);
  expect(second.pagination).toEqual({ has_more: false, next_cursor: null });

  const unknown = await stack.api.call('POST', `/api/v1/webhooks/${id}/deliveries/whd_00000000000000000000000000/retry`, { key });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
});

test('deleting an endpoint stops its workflow and hides it (404)', async () => {
  const r = await receiver();
  const id = await register(r, eventFamily());
  const deleted = await stack.api.call('DELETE', `/api/v1/webhooks/${id}`, { key });
  expect(deleted.status).toBe(200);
  expect(deleted.body.data).toEqual({ id, deleted: true });
  const client = await stack.api.deps.temporal.client();
  await until(async () => (await client.workflow.getHandle(webhookWorkflowId(id)).describe()).status.name !== 'RUNNING');
  expect((await stack.api.call('GET', `/api/v1/webhooks/${id}`, { key })).status).toBe(404);
});

test('a long-lived delivery continues as new to bound its history, and goes on in order from the stored cursor', async () => {
  const r = await receiver();
  const family = eventFamily();
  const id = newId('whk');
  const secret = newWebhookSecret();
  r.secrets.push(secret);
  const db = stack.api.deps.database.db;
  const cursor = await latestEventId(db);
  const row = { id, owner: 'test', url: r.url, eventTypes: [`${family}.*`], description: null, cursor };
  await insertEndpoint(db, { ...row, secretSealed: stack.api.deps.walletBox.seal(secret, secretBinding(id)) });
  const client = await stack.api.deps.temporal.client();
  const handle = await client.workflow.start('webhookDelivery', {
    workflowId: webhookWorkflowId(id),
    taskQueue: stack.api.config.TEMPORAL_TASK_QUEUE,
    args: [{ endpointId: id, schedule: [0, 100], waitMs: 300, maxHistoryEvents: 20 }],
  });
  for (let n = 0; n < 8; n++) {
    await emit(stack.api, `${family}.created`, n);
    await until(accepted(r, n + 1));
  }
  expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  expect(r.accepted().map((x) => x.verified!.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(new Set(acceptedIds(r)).size).toBe(8);
  await deleteEndpoint(db, id, 'test');
  await client.workflow.getHandle(webhookWorkflowId(id)).terminate('test over');
});

test('with more idle endpoints than a worker lets wait (16), every endpoint still gets each event, in order', async () => {
  const family = eventFamily();
  const rs = await Promise.all(Array.from({ length: 20 }, () => receiver()));
  for (const r of rs) await register(r, family);
  await emit(stack.api, `${family}.created`, 0);
  await emit(stack.api, `${family}.created`, 1);
  await until(() => rs.every((r) => r.accepted().length >= 2), 30_000, 'every endpoint’s deliveries');
  for (const r of rs) expect(r.accepted().map((x) => x.verified!.data.n)).toEqual([0, 1]);
});
