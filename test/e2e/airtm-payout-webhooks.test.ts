import { unique } from '../helpers/app';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { testDatabase } from '../helpers/db';
import { eventually } from '../helpers/stellar-stack';

/**
 * Airtm's payout webhooks reach the payout's workflow through `POST /api/v1/webhooks/airtm` (api/airtm/dispatch.ts,
 * family `payout`): with polling pushed out to a minute, a payout that completes at Airtm is settled within seconds
 * only because the signed `payout.completed` woke its workflow. The sandbox signs and sends them as Airtm's Svix does
 * (Airtm OpenAPI v1.87.0, #/webhooks/payout.completed; sandboxes/airtm/model.ts).
 */
let s: AirtmStack;
let key: string;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startAirtmStack({ AIRTM_PAYOUT_POLL_INITIAL_MS: '60000', AIRTM_PAYOUT_POLL_MAX_MS: '60000' });
  key = await s.api.keyWith('read', 'write');
}, 90_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

const get = async (id: string) => (await s.api.call('GET', `/api/v1/withdrawals/${id}`, { key })).body.data;

test('a payout waiting for its recipient completes on Airtm’s payout.completed webhook, long before its next poll', async () => {
  const payer = await s.airtmUser(key, '50.00');
  // The user's balance comes from a confirmed top-up (webhook path), as a marketplace's would.
  const topup = await s.api.call('POST', '/api/v1/topups', {
    key,
    body: { user_id: payer.id, amount: '20', currency: 'USD' },
    headers: { 'idempotency-key': unique('tu') },
  });
  expect(topup.status).toBe(201);
  expect((await s.pay(topup.body.data.confirmation_url, payer.email)).status).toBe(303); // back to the marketplace
  await s.topupReaching(key, topup.body.data.id, 'TOPUP_SUCCEEDED');

  const email = `${unique('newcomer')}@example.com`.toLowerCase();
  const res = await s.api.call('POST', '/api/v1/withdrawals', {
    key,
    body: { user_id: payer.id, amount: '7.5', currency: 'USD', commit: true, destination: { type: 'airtm', email } },
    headers: { 'idempotency-key': unique('wd') },
  });
  expect(res.status).toBe(201);
  const id = res.body.data.id as string;
  // PENDING at Airtm (no such account yet): the workflow's first look, right after the commit.
  await eventually(async () => (await get(id)).status === 'WITHDRAWAL_AWAITING_RECIPIENT', 20_000, 'AWAITING_RECIPIENT');

  s.airtm.putUser(email, { balance: '0.00' }); // Airtm carries the payout out and sends payout.completed
  // The workflow's next poll is a minute away: within 20 s only the webhook can have woken it.
  const done = await eventually(async () => ((await get(id)).status === 'WITHDRAWAL_COMPLETED' ? get(id) : null), 20_000, 'COMPLETED');
  expect(done).toMatchObject({ amount: '7.5', airtm_payout: { status: 'COMPLETED' }, failure_code: null });
  expect(await s.balance(key, payer.id)).toEqual({ currency: 'USD', available: '12.5', held: '0' });
  const inbox = await db.pool.query(`SELECT type, target, signaled_at FROM airtm_webhook_events WHERE code = $1 ORDER BY seq`, [id]);
  const completed = inbox.rows.find((r) => r.type === 'payout.completed');
  expect(completed).toMatchObject({ target: `withdrawal-${id}` });
  expect(completed.signaled_at).not.toBeNull();
});
