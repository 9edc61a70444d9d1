import { AirtmWebhookRejected, AirtmWebhookVerifier } from '../../../src/providers/airtm/webhooks';
import {
  WEBHOOK_SECRET,
  call,
  payinBody,
  startAirtm,
  startReceiver,
  submitCheckout,
  svixSignature,
  type AirtmTest,
  type Received,
} from './helpers';

/**
 * The sandbox's webhooks against #/webhooks (event names; body `{type, data}` with a PayinResponse or PayoutResponse)
 * and #/tags[name=Webhooks]/description (Svix headers and signatures, retries on failure). Each signature is checked
 * here against the Svix scheme computed with node:crypto, not with the library the sandbox signs with.
 */
let t: AirtmTest;
beforeEach(async () => {
  t = await startAirtm();
});
afterEach(() => t.stop());

const types = (received: Received[]) => received.map((r) => JSON.parse(r.body).type as string);
/** The events in the order the sandbox made them (Svix does not promise arrival order, nor does the sandbox). */
const made = (t: AirtmTest) => t.airtm.webhooks.deliveries().map((d) => d.type);
const bodyOf = (t: AirtmTest, type: string) => JSON.parse(t.receiver.received.find((r) => JSON.parse(r.body).type === type)!.body);

function expectSigned(r: Received) {
  const id = r.headers['svix-id'] as string;
  const ts = Number(r.headers['svix-timestamp']);
  expect(id).toMatch(/^msg_[A-Za-z0-9_-]+$/);
  expect(Math.abs(Date.now() / 1000 - ts)).toBeLessThan(60);
  expect(r.headers['svix-signature']).toBe(svixSignature(id, ts, r.body));
  expect(r.headers['content-type']).toBe('application/json');
}

test('a confirmed pay-in sends payin.created then payin.confirmed, each signed, with the PayinResponse as data', async () => {
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('wh_1'))).body;
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  await t.airtm.webhooks.idle();
  expect(made(t)).toEqual(['payin.created', 'payin.confirmed']);
  expect(types(t.receiver.received).sort()).toEqual(['payin.confirmed', 'payin.created']);
  for (const r of t.receiver.received) expectSigned(r);
  const confirmed = bodyOf(t, 'payin.confirmed');
  expect(Object.keys(confirmed).sort()).toEqual(['data', 'type']);
  expect(confirmed.data).toMatchObject({ id: p.id, code: 'wh_1', status: 'CONFIRMED', amount: 12.5, airtmUserEmail: 'alice@example.com' });
});

test('cancel, failure and the payout events carry the spec names: payin.canceled, payin.failed, payout.created/completed/failed/canceled', async () => {
  const a = (await call(t.airtm, 'POST', '/payins', payinBody('wh_c'))).body;
  await call(t.airtm, 'DELETE', `/payins/${a.id}`);
  t.airtm.setConfirmOutcome('PROCESSING');
  const b = (await call(t.airtm, 'POST', '/payins', payinBody('wh_f'))).body;
  await submitCheckout(t.airtm, b.id, { email: 'alice@example.com', action: 'confirm' });
  t.airtm.settlePayin(b.id, 'FAILED');
  await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'alice@example.com', amount: 1, notes: 'n', commit: true });
  t.airtm.holdPayouts(true);
  const f = (await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'alice@example.com', amount: 1, notes: 'n', commit: true })).body;
  t.airtm.failPayout(f.id);
  const c = (await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'alice@example.com', amount: 1, notes: 'n' })).body;
  await call(t.airtm, 'DELETE', `/payouts/${c.id}`);
  await t.airtm.webhooks.idle();
  // No event for PROCESSING, COMMITTED or PENDING: #/webhooks has none.
  expect(made(t)).toEqual([
    'payin.created',
    'payin.canceled',
    'payin.created',
    'payin.failed',
    'payout.created',
    'payout.completed',
    'payout.created',
    'payout.failed',
    'payout.created',
    'payout.canceled',
  ]);
  expect(types(t.receiver.received).sort()).toEqual([...made(t)].sort());
  expect(bodyOf(t, 'payout.failed').data).toMatchObject({ status: 'FAILED', reasonCode: '415073' });
});

test('a delivery answered 500 then 503 is retried with the same svix-id until a 2xx', async () => {
  t.receiver.answerNext(500, 503);
  await call(t.airtm, 'POST', '/payins', payinBody('retry'));
  await t.airtm.webhooks.idle();
  expect(t.receiver.received).toHaveLength(3);
  const ids = new Set(t.receiver.received.map((r) => r.headers['svix-id']));
  expect(ids.size).toBe(1);
  for (const r of t.receiver.received) expectSigned(r);
  expect(t.airtm.webhooks.deliveries()[0]).toMatchObject({ type: 'payin.created', attempts: [500, 503, 200], delivered: true });
});

test('a delivery failing every attempt of the schedule stops after the last one, undelivered', async () => {
  t.receiver.answerNext(500, 500, 500, 500);
  await call(t.airtm, 'POST', '/payins', payinBody('give-up'));
  await t.airtm.webhooks.idle();
  expect(t.receiver.received).toHaveLength(3); // the schedule has three attempts in these tests
  expect(t.airtm.webhooks.deliveries()[0]).toMatchObject({ attempts: [500, 500, 500], delivered: false });
});

test('dropNext loses the next message: the receiver never sees it, the pay-in is still there to poll', async () => {
  t.airtm.webhooks.dropNext(1);
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('dropped'))).body;
  await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  await t.airtm.webhooks.idle();
  expect(types(t.receiver.received)).toEqual(['payin.canceled']);
  expect(t.airtm.webhooks.deliveries()[0]).toMatchObject({ type: 'payin.created', dropped: true, attempts: [] });
});

test('duplicateNext delivers the same message (same svix-id, same body) several times', async () => {
  t.airtm.webhooks.duplicateNext(1, 5);
  await call(t.airtm, 'POST', '/payins', payinBody('dup5'));
  await t.airtm.webhooks.idle();
  expect(t.receiver.received).toHaveLength(5);
  expect(new Set(t.receiver.received.map((r) => r.headers['svix-id'])).size).toBe(1);
  expect(new Set(t.receiver.received.map((r) => r.body)).size).toBe(1);
});

test('hold then release({reverse}) delivers confirmed before created: out of order', async () => {
  t.airtm.webhooks.hold();
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('reorder'))).body;
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  await t.airtm.webhooks.idle();
  expect(t.receiver.received).toHaveLength(0);
  expect(t.airtm.webhooks.release({ reverse: true })).toBe(2);
  await t.airtm.webhooks.idle();
  expect(types(t.receiver.received)).toEqual(['payin.confirmed', 'payin.created']);
});

test('delayNext holds the next message back while later ones go first', async () => {
  t.airtm.webhooks.delayNext(1500, 1);
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('delayed'))).body;
  await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  await t.airtm.webhooks.idle();
  expect(types(t.receiver.received)).toEqual(['payin.canceled', 'payin.created']);
});

test('without a webhook URL nothing is sent, but each message is still recorded', async () => {
  t.airtm.webhooks.setUrl(undefined);
  await call(t.airtm, 'POST', '/payins', payinBody('nowhere'));
  await t.airtm.webhooks.idle();
  expect(t.receiver.received).toHaveLength(0);
  expect(t.airtm.webhooks.deliveries()).toHaveLength(1);
});

test("the sandbox's deliveries pass the adapter's verifier, and a tampered copy of one does not", async () => {
  const verifier = new AirtmWebhookVerifier(WEBHOOK_SECRET);
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('pair'))).body;
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  await t.airtm.webhooks.idle();
  const events = t.receiver.received.map((r) => verifier.verify(r.body, r.headers));
  events.sort((a, b) => a.type.localeCompare(b.type)); // arrival order is not promised
  expect(events.map((e) => [e.type, e.known, (e.data as { status: string }).status])).toEqual([
    ['payin.confirmed', true, 'CONFIRMED'],
    ['payin.created', true, 'CREATED'],
  ]);
  const one = t.receiver.received[0]!;
  const forged = one.body.replace('"amount":12.5', '"amount":125');
  expect(forged).not.toBe(one.body);
  expect(() => verifier.verify(forged, one.headers)).toThrow(AirtmWebhookRejected);
});

test('an endpoint that refuses connections gets every attempt of the schedule, recorded as 0, and nothing is delivered', async () => {
  const closed = await startReceiver();
  const url = closed.url;
  await closed.stop();
  t.airtm.webhooks.setUrl(url);
  await call(t.airtm, 'POST', '/payins', payinBody('down'));
  await t.airtm.webhooks.idle();
  expect(t.airtm.webhooks.deliveries()[0]).toMatchObject({ type: 'payin.created', attempts: [0, 0, 0], delivered: false });
});
