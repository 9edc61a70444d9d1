import { Webhook } from 'standardwebhooks';
import { topupWorkflowId } from '../../workflows/ids';
import { recordHistory } from '../helpers/histories';
import { findInboxEntry } from '../../src/airtm/inbox-repository';
import { unique } from '../helpers/app';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { openTopupWorkflow } from '../helpers/topup-workflow';
import { testDatabase } from '../helpers/db';
import { orderDriver } from '../helpers/escrow-orders';
import { eventually } from '../helpers/stellar-stack';

/**
 * Top-ups through Airtm end to end: the real API and worker, the Stellar, Trustless Work and Airtm sandboxes. Airtm's
 * webhooks are signed by the sandbox with the stack's AIRTM_WEBHOOK_SECRET; a top-up asks Airtm itself after 2 s
 * without one (the poll test relies on that).
 */
let s: AirtmStack;
let key: string;
let support: string;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startAirtmStack({ TOPUP_POLL_INITIAL_MS: '2000', TOPUP_POLL_MAX_MS: '4000' });
  key = await s.api.keyWith('read', 'write');
  support = await s.api.keyWith('read', 'support');
}, 90_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});
afterEach(() => s.airtm.setConfirmOutcome('CONFIRMED'));

const topUp = (userId: string, amount: string, idem = unique('tu')) =>
  s.api.call('POST', '/api/v1/topups', { key, body: { user_id: userId, amount, currency: 'USD' }, headers: { 'idempotency-key': idem } });
const balance = (id: string) => s.balance(key, id);
const creditsOf = async (topupId: string) =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE related_type = 'topup' AND related_id = $1`, [topupId])).rows[0]
    .n;
/** Waits for the top-up's workflow to end, then keeps its history as a replay fixture (RECORD_HISTORIES=1). */
async function recordTopup(name: string, topupId: string) {
  const client = await s.api.deps.temporal.client();
  await client.workflow.getHandle(topupWorkflowId(topupId)).result();
  await recordHistory(name, topupWorkflowId(topupId));
}
const deliveriesOf = (payinId: string) => s.airtm.webhooks.deliveries().filter((d) => d.dataId === payinId);

/** A signed delivery as Svix sends it, with the timestamp given (seconds) and the secret given. */
function signed(body: string, opts: { secret?: string; at?: number; id?: string } = {}) {
  const id = opts.id ?? `msg_${unique('forged')}`;
  const at = opts.at ?? Math.floor(Date.now() / 1000);
  const signature = new Webhook(opts.secret ?? s.webhookSecret).sign(id, new Date(at * 1000), body);
  return { 'svix-id': id, 'svix-timestamp': String(at), 'svix-signature': signature, 'content-type': 'application/json' };
}
const postWebhook = (body: string, headers: Record<string, string>) =>
  s.api.call('POST', '/api/v1/webhooks/airtm', { key: null, rawBody: body, headers });

describe('POST /webhooks/airtm is authenticated by its signature', () => {
  const body = JSON.stringify({ type: 'payin.confirmed', data: { id: 'f3a1', code: 'topup_x', status: 'CONFIRMED' } });

  test.each([
    ['no signature headers', () => ({ 'content-type': 'application/json', 'svix-id': `msg_${unique('n')}` }), 'missing_headers'],
    [
      'a signature made with another secret',
      () => signed(body, { secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` }),
      'bad_signature',
    ],
    ['a signature six minutes old', () => signed(body, { at: Math.floor(Date.now() / 1000) - 360 }), 'stale_or_future'],
    ['a signature six minutes ahead', () => signed(body, { at: Math.floor(Date.now() / 1000) + 360 }), 'stale_or_future'],
  ])('%s: 401 UNAUTHORIZED with the error envelope, nothing stored', async (_what, headers, reason) => {
    const h = headers();
    const res = await postWebhook(body, h);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: { reason } });
    expect(await findInboxEntry(db.db, h['svix-id'])).toBeNull();
  });

  test('a correct signature over a body changed afterwards is 401 and stores nothing', async () => {
    const h = signed(body);
    const res = await postWebhook(body.replace('CONFIRMED', 'FAILED'), h);
    expect(res.status).toBe(401);
    expect(res.body.error.details.reason).toBe('bad_signature');
    expect(await findInboxEntry(db.db, h['svix-id'])).toBeNull();
  });

  test('a signed event about nothing we know is stored raw for reconciliation, unmatched; its redelivery is dropped', async () => {
    const h = signed(body);
    const first = await postWebhook(body, h);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ svix_id: h['svix-id'], duplicate: false, matched: false });
    const stored = await findInboxEntry(db.db, h['svix-id']);
    expect(stored).toMatchObject({ type: 'payin.confirmed', rawBody: body, target: null, airtmId: 'f3a1', code: 'topup_x' });
    const again = await postWebhook(body, signed(body, { id: h['svix-id'] }));
    expect(again.status).toBe(200);
    expect(again.body.data.duplicate).toBe(true);
  });
});

describe('linking an Airtm account', () => {
  test('an email Airtm does not know is 400 airtm_account_not_found; a top-up for an unlinked user is 409 with a hint', async () => {
    const user = await s.activeUser(key);
    const link = await s.api.call('POST', `/api/v1/users/${user.id}/airtm/link`, { key, body: { email: 'nobody@example.com' } });
    expect(link.status).toBe(400);
    expect(link.body.error.details.fields[0]).toMatchObject({ field: 'body.email', code: 'airtm_account_not_found' });
    const res = await topUp(user.id, '10');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('AIRTM_ACCOUNT_NOT_LINKED');
    expect(res.body.error.details.hint).toContain(`/api/v1/users/${user.id}/airtm/link`);
    expect((await s.api.call('GET', `/api/v1/topups?user_id=${user.id}`, { key })).body.data).toEqual([]);
  });

  test('an inactive Airtm account is refused; an active one is linked with Airtm’s id', async () => {
    const user = await s.activeUser(key);
    s.airtm.putUser('sleepy@example.com', { status: 'inactive' });
    const refused = await s.api.call('POST', `/api/v1/users/${user.id}/airtm/link`, { key, body: { email: 'sleepy@example.com' } });
    expect(refused.body.error.details.fields[0].code).toBe('airtm_account_inactive');
    s.airtm.putUser('Awake@Example.com', { isVerified: false });
    const linked = await s.api.call('POST', `/api/v1/users/${user.id}/airtm/link`, { key, body: { email: 'Awake@Example.com' } });
    expect(linked.status).toBe(200);
    expect(linked.body.data).toMatchObject({ user_id: user.id, email: 'awake@example.com', verified: false });
    expect(linked.body.data.airtm_user_id).toEqual(expect.any(String));
  });
});

describe('top-ups', () => {
  test('a confirmed top-up credits once although its webhook arrives five times; each step is in the audit log', async () => {
    const user = await s.airtmUser(key);
    s.airtm.webhooks.duplicateNext(2, 5); // payin.created and payin.confirmed, five times each
    const res = await topUp(user.id, '25.50');
    expect(res.status).toBe(201);
    const t = res.body.data;
    expect(t).toMatchObject({ user_id: user.id, amount: '25.5', currency: 'USD', status: 'TOPUP_AWAITING_USER_CONFIRMATION' });
    expect(t.id).toMatch(/^topup_/);
    expect(t.confirmation_url).toBe(s.airtm.checkoutUrl(t.airtm_payin_id));

    const paid = await s.pay(t.confirmation_url, user.email);
    expect(paid.status).toBe(303);
    expect(paid.location).toContain(`topup_id=${t.id}`);
    const done = await s.topupReaching(key, t.id, 'TOPUP_SUCCEEDED');
    expect(done.payer_email).toBe(user.email);
    // The treasury puts the credited USDC into the user's wallet: the balance is backed on chain like a deposit.
    await eventually(async () => (await s.usdcBalance(user.address)) === '25.5000000', 20_000, 'treasury delivery');
    await s.airtm.webhooks.idle();
    const confirmed = deliveriesOf(t.airtm_payin_id).find((d) => d.type === 'payin.confirmed')!;
    expect(confirmed.attempts).toEqual([200, 200, 200, 200, 200]);
    expect(await balance(user.id)).toEqual({ currency: 'USD', available: '25.5', held: '0' });
    expect(await creditsOf(t.id)).toBe(1);
    expect(s.airtm.balanceOf(user.email)).toBe('974.50');
    await recordTopup('topup-succeeded-webhooks-repeated', t.id);

    const audit = await s.api.call('GET', `/api/v1/audit/logs?resource_type=topup&resource_id=${t.id}`, { key: support });
    expect(audit.body.data.map((e: { action: string }) => e.action).reverse()).toEqual([
      'topup.create',
      'topup.await_confirmation',
      'topup.credit',
    ]);
    expect(audit.body.data.at(-1)).toMatchObject({ status_after: 'TOPUP_CREATED', actor_type: 'api_key' });
    expect(audit.body.data[0]).toMatchObject({ status_before: 'TOPUP_AWAITING_USER_CONFIRMATION', actor_type: 'system' });
  });

  test('webhooks out of order (confirmed before created) credit once and leave it TOPUP_SUCCEEDED', async () => {
    const user = await s.airtmUser(key);
    s.airtm.webhooks.hold();
    const t = (await topUp(user.id, '7')).body.data;
    await s.pay(t.confirmation_url, user.email);
    expect(s.airtm.webhooks.release({ reverse: true })).toBe(2);
    await s.topupReaching(key, t.id, 'TOPUP_SUCCEEDED');
    await s.airtm.webhooks.idle();
    expect(await creditsOf(t.id)).toBe(1);
    expect((await balance(user.id)).available).toBe('7');
    await recordTopup('topup-succeeded-out-of-order', t.id);
  });

  test('no webhook at all: the top-up asks Airtm and polling credits it once', async () => {
    const user = await s.airtmUser(key);
    s.airtm.webhooks.dropNext(2);
    const t = (await topUp(user.id, '12')).body.data;
    await s.pay(t.confirmation_url, user.email);
    await s.topupReaching(key, t.id, 'TOPUP_SUCCEEDED', 30_000);
    expect(deliveriesOf(t.airtm_payin_id).every((d) => d.dropped)).toBe(true);
    const inbox = await db.pool.query(`SELECT count(*)::int AS n FROM airtm_webhook_events WHERE code = $1`, [t.id]);
    expect(inbox.rows[0].n).toBe(0);
    expect(await creditsOf(t.id)).toBe(1);
    expect((await balance(user.id)).available).toBe('12');
    await recordTopup('topup-succeeded-polled', t.id);
  });

  test('a failed payment records Airtm’s reason and changes no balance', async () => {
    const user = await s.airtmUser(key);
    s.airtm.setConfirmOutcome('PROCESSING');
    const t = (await topUp(user.id, '9')).body.data;
    await s.pay(t.confirmation_url, user.email);
    await s.topupReaching(key, t.id, 'TOPUP_PROCESSING');
    s.airtm.settlePayin(t.airtm_payin_id, 'FAILED', 'card declined by the issuer');
    const failed = await s.topupReaching(key, t.id, 'TOPUP_FAILED');
    expect(failed.failure_reason).toBe('card declined by the issuer');
    expect(await balance(user.id)).toEqual({ currency: 'USD', available: '0', held: '0' });
    expect(await creditsOf(t.id)).toBe(0);
    await recordTopup('topup-failed', t.id);
  });

  test('cancelled on Airtm’s page: TOPUP_CANCELED, no balance; through the API: cancelled once, then 409', async () => {
    const user = await s.airtmUser(key);
    const t = (await topUp(user.id, '5')).body.data;
    const back = await s.pay(t.confirmation_url, user.email, 'cancel');
    expect(back.location).toContain('outcome=cancelled');
    await s.topupReaching(key, t.id, 'TOPUP_CANCELED');
    await recordTopup('topup-cancelled-on-page', t.id);

    const u = (await topUp(user.id, '6')).body.data;
    const cancelled = await s.api.call('POST', `/api/v1/topups/${u.id}/cancel`, { key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: 'TOPUP_CANCELED', failure_reason: expect.stringContaining('cancelled') });
    const again = await s.api.call('POST', `/api/v1/topups/${u.id}/cancel`, { key });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE', details: { current_status: 'TOPUP_CANCELED' } });
    // The page no longer takes a payment for it.
    expect((await s.pay(u.confirmation_url, user.email)).status).toBe(410);
    expect(await balance(user.id)).toEqual({ currency: 'USD', available: '0', held: '0' });
    const audit = await s.api.call('GET', `/api/v1/audit/logs?resource_type=topup&resource_id=${u.id}`, { key: support });
    expect(audit.body.data[0]).toMatchObject({ action: 'topup.cancel', status_after: 'TOPUP_CANCELED', actor_type: 'api_key' });
    await recordTopup('topup-cancelled-by-api', u.id);
  });

  test('a pay-in left unpaid past its lifetime: cancelled at Airtm, TOPUP_EXPIRED with the reason, no balance', async () => {
    const user = await s.airtmUser(key);
    // As the API starts it, with a lifetime of 1.5 s instead of Airtm's 15 days.
    const { topupId, opened } = await openTopupWorkflow(s, user.id, {
      amountMinor: '80000000',
      pollInitialMs: 500,
      pollMaxMs: 500,
      expiryMs: 1500,
    });
    expect(opened.status).toBe('TOPUP_AWAITING_USER_CONFIRMATION');
    const expired = await s.topupReaching(key, topupId, 'TOPUP_EXPIRED');
    expect(expired.failure_reason).toMatch(/^expired/);
    expect((await s.pay(expired.confirmation_url, user.email)).status).toBe(410);
    expect(await balance(user.id)).toEqual({ currency: 'USD', available: '0', held: '0' });
    await recordTopup('topup-expired', topupId);
  });

  test('Airtm failing (two 500s) while the pay-in is created: the step is retried and the top-up opens once', async () => {
    const user = await s.airtmUser(key);
    s.airtm.failNext({ kind: 500 }, 2);
    const res = await topUp(user.id, '2');
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('TOPUP_AWAITING_USER_CONFIRMATION');
    const payins = await db.pool.query(`SELECT count(*)::int AS n FROM topups WHERE user_id = $1 AND payin_id IS NOT NULL`, [user.id]);
    expect(payins.rows[0].n).toBe(1);
    await s.pay(res.body.data.confirmation_url, user.email);
    await s.topupReaching(key, res.body.data.id, 'TOPUP_SUCCEEDED');
    expect((await balance(user.id)).available).toBe('2');
  });

  test('the same Idempotency-Key answers the same top-up; GET /topups lists by user and status, newest first', async () => {
    const user = await s.airtmUser(key);
    const idem = unique('same');
    const a = await topUp(user.id, '3', idem);
    const b = await topUp(user.id, '3', idem);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.data.id).toBe(a.body.data.id);
    const c = (await topUp(user.id, '4')).body.data;
    const list = await s.api.call('GET', `/api/v1/topups?user_id=${user.id}&status=TOPUP_AWAITING_USER_CONFIRMATION&limit=1`, { key });
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual([c.id]);
    expect(list.body.pagination.has_more).toBe(true);
    const next = await s.api.call(
      'GET',
      `/api/v1/topups?user_id=${user.id}&status=TOPUP_AWAITING_USER_CONFIRMATION&limit=1&cursor=${list.body.pagination.next_cursor}`,
      { key },
    );
    expect(next.body.data.map((t: { id: string }) => t.id)).toEqual([a.body.data.id]);
    expect((await s.api.call('GET', '/api/v1/topups/topup_nope', { key })).body.error.code).toBe('TOPUP_NOT_FOUND');
    const bad = await topUp(user.id, '1.005');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0]).toMatchObject({ field: 'body.amount', code: 'not_whole_cents' });
  });

  test('an eleventh top-up within a minute for one user is 429 RATE_LIMITED', async () => {
    const user = await s.airtmUser(key);
    const answers = [];
    // The limit counts in fixed one-minute windows: start early in one, so all eleven fall in it.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 30_000) await new Promise((r) => setTimeout(r, left + 50));
    for (let i = 0; i < 10; i++) answers.push((await topUp(user.id, '1')).status);
    expect(answers).toEqual(Array(10).fill(201));
    const eleventh = await topUp(user.id, '1');
    expect([eleventh.status, eleventh.body.error.code, eleventh.headers.get('x-ratelimit-limit')]).toEqual([429, 'RATE_LIMITED', '10']);
  }, 120_000);
});

test('a topped-up balance funds an escrow and is released to the seller, as a Stellar deposit would', async () => {
  const orders = orderDriver(s, key);
  const buyer = await s.airtmUser(key);
  const seller = await s.activeUser(key);
  const floatBefore = await s.usdcBalance(s.treasury);
  const t = (await topUp(buyer.id, '40')).body.data;
  await s.pay(t.confirmation_url, buyer.email);
  await s.topupReaching(key, t.id, 'TOPUP_SUCCEEDED');
  const delivered = await eventually(async () => {
    const v = (await s.api.call('GET', `/api/v1/topups/${t.id}`, { key })).body.data;
    return v.delivery_tx_hash && v;
  });
  expect(delivered.delivery_tx_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await s.usdcBalance(buyer.address)).toBe('40.0000000');
  expect(Number(floatBefore) - Number(await s.usdcBalance(s.treasury))).toBe(40);

  const orderId = await orders.funded(buyer.id, seller.id, '40');
  expect(await balance(buyer.id)).toEqual({ currency: 'USD', available: '0', held: '40' });
  expect((await orders.post(`/orders/${orderId}/deliver`, {})).status).toBe(200);
  const released = await orders.postUntilAnswered(`/orders/${orderId}/resolution/release`);
  expect(released.status).toBe(200);
  expect((await orders.orderView(orderId)).status).toBe('RELEASED');
  // Trustless Work keeps its 0.3%; the platform fee is 0 here.
  expect((await balance(seller.id)).available).toBe('39.88');
  expect(await s.usdcBalance(seller.address)).toBe('39.8800000');
  await recordTopup('topup-succeeded-delivered', t.id);
}, 120_000);
