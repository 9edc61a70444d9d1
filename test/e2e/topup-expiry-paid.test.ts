import { topupWorkflowId } from '../../workflows/ids';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { recordHistory } from '../helpers/histories';
import { openTopupWorkflow } from '../helpers/topup-workflow';

/**
 * A top-up whose user paid (the pay-in PROCESSING at Airtm, settling) when its lifetime ends: the pay-in cannot be
 * cancelled, so the top-up waits for its outcome. It asks Airtm again after a doubling wait, as its polls do, not at
 * once in a loop (found by the chaos lifecycles: a loop of Airtm calls took the whole Airtm task queue's budget, which
 * every top-up and payout shares, and their steps stalled for minutes).
 */
let s: AirtmStack;
const key = () => s.api.keyWith('read', 'write');
beforeAll(async () => {
  s = await startAirtmStack();
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

test('expired while PROCESSING at Airtm: asked again with backoff until it settles, then credited once', async () => {
  const k = await key();
  const user = await s.airtmUser(k);
  s.airtm.setConfirmOutcome('PROCESSING');
  // As the API starts it, with a lifetime of 1.5 s and polls of 0.5 s to 2 s.
  const { topupId, opened, handle } = await openTopupWorkflow(s, user.id, {
    amountMinor: '50000000',
    pollInitialMs: 500,
    pollMaxMs: 2000,
    expiryMs: 1500,
  });
  expect((await s.pay(opened.confirmation_url!, user.email)).status).toBe(303);
  await s.topupReaching(k, topupId, 'TOPUP_PROCESSING');
  // Ten seconds past the expiry, still PROCESSING; then Airtm settles it.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  expect((await s.api.call('GET', `/api/v1/topups/${topupId}`, { key: k })).body.data.status).toBe('TOPUP_PROCESSING');

  s.airtm.settlePayin(opened.airtm_payin_id!, 'CONFIRMED');
  s.airtm.setConfirmOutcome('CONFIRMED');
  await s.topupReaching(k, topupId, 'TOPUP_SUCCEEDED', 30_000);
  expect(await s.balance(k, user.id)).toEqual({ currency: 'USD', available: '5', held: '0' });
  await handle.result();
  // Waits of 0.5, 1, 2, 2, … s over those ten seconds are at most 8 asks; asking at once in a loop was dozens (the
  // Airtm queue admits 5 activities a second).
  const history = await handle.fetchHistory();
  const cancels = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'cancelTopupPayin');
  expect(cancels.length).toBeGreaterThanOrEqual(2);
  expect(cancels.length).toBeLessThanOrEqual(10);
  await recordHistory('topup-expired-while-processing', topupWorkflowId(topupId));
}, 90_000);
