import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { TopupView } from '../../src/topups/render';
import type { TopupRequest } from '../../src/topups/request';
import { topupWorkflowId } from '../../workflows/ids';
import { cancelTopup, openTopup, payinEvent, topupState } from '../../workflows/messages/topup';
import { unique } from '../helpers/app';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/**
 * The top-up workflow on the real Temporal dev server with its activities stubbed: each test says what Airtm's pay-in
 * is when the workflow asks (the poll), and the stubs record every call. Nothing touches a database or Airtm.
 */
interface Fake {
  /** The pay-in's status each poll answers, in turn (the last one repeats). */
  polls: string[];
  calls: string[];
  status: string;
}
const fakes = new Map<string, Fake>();
const fake = (id: string) => fakes.get(id)!;

const view = (id: string, status: string, expiresAt = new Date(Date.now() + 3600_000)): TopupView => ({
  id,
  user_id: 'usr_1',
  amount: '10',
  currency: 'USD',
  status,
  confirmation_url: `http://airtm/payin/${id}`,
  airtm_payin_id: `pi-${id}`,
  payer_email: null,
  failure_reason: null,
  delivery_tx_hash: null,
  expires_at: expiresAt.toISOString(),
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  completed_at: null,
});
const OUTCOME: Record<string, string> = {
  CREATED: 'TOPUP_AWAITING_USER_CONFIRMATION',
  PROCESSING: 'TOPUP_PROCESSING',
  CONFIRMED: 'TOPUP_SUCCEEDED',
  FAILED: 'TOPUP_FAILED',
  CANCELED: 'TOPUP_CANCELED',
};
/** What the real steps do with a status, simply: a final top-up stays as it is. */
const apply = (id: string, payin: string) => {
  const f = fake(id);
  if (!['TOPUP_SUCCEEDED', 'TOPUP_FAILED', 'TOPUP_CANCELED', 'TOPUP_EXPIRED'].includes(f.status)) f.status = OUTCOME[payin] ?? f.status;
  return view(id, f.status);
};

const activities: Pick<Activities, 'openTopup' | 'applyPayinNotice' | 'pollTopupPayin' | 'cancelTopupPayin' | 'deliverTopup'> = {
  async openTopup(r) {
    fake(r.topupId).calls.push('open');
    fake(r.topupId).status = 'TOPUP_AWAITING_USER_CONFIRMATION';
    return view(r.topupId, 'TOPUP_AWAITING_USER_CONFIRMATION', new Date(Date.now() + r.expiryMs));
  },
  async applyPayinNotice({ topupId, notice }) {
    fake(topupId).calls.push(`notice:${notice.status}`);
    return apply(topupId, notice.status);
  },
  async pollTopupPayin({ topupId }) {
    const f = fake(topupId);
    f.calls.push('poll');
    return apply(topupId, f.polls.length > 1 ? f.polls.shift()! : f.polls[0]);
  },
  async cancelTopupPayin({ topupId, expired }) {
    const f = fake(topupId);
    f.calls.push(expired ? 'expire' : 'cancel');
    f.status = expired ? 'TOPUP_EXPIRED' : 'TOPUP_CANCELED';
    return view(topupId, f.status);
  },
  async deliverTopup({ topupId }) {
    fake(topupId).calls.push('deliver');
    return { ...view(topupId, fake(topupId).status), delivery_tx_hash: 'ab'.repeat(32) };
  },
};

const stubbed = useStubbedWorker('topup-wf-tq', activities);

/** What the API does: start the workflow with its `open` update; answers the handle and the opened top-up. */
async function open(polls: string[], extra: Partial<TopupRequest> = {}) {
  const topupId = unique('topup');
  fakes.set(topupId, { polls, calls: [], status: 'TOPUP_CREATED' });
  const request: TopupRequest = {
    topupId,
    userId: 'usr_1',
    amountMinor: '100000000',
    currency: 'USD',
    returnUrl: 'http://localhost/return',
    pollInitialMs: 60_000,
    pollMaxMs: 60_000,
    expiryMs: 3600_000,
    ...extra,
  };
  const opened = await stubbed.client.workflow.executeUpdateWithStart(openTopup, {
    startWorkflowOperation: new WithStartWorkflowOperation('topup', {
      workflowId: topupWorkflowId(topupId),
      taskQueue: stubbed.taskQueue,
      args: [request],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    }),
  });
  return { topupId, opened, handle: stubbed.client.workflow.getHandle(topupWorkflowId(topupId)) };
}

test('a CONFIRMED webhook is applied, then the treasury delivers once; no poll was needed', async () => {
  const { topupId, opened, handle } = await open(['CREATED']);
  expect(opened.status).toBe('TOPUP_AWAITING_USER_CONFIRMATION');
  await handle.signal(payinEvent, { svixId: 'msg_1', type: 'payin.confirmed', status: 'CONFIRMED' });
  const done = await handle.result();
  expect(done).toMatchObject({ status: 'TOPUP_SUCCEEDED', delivery_tx_hash: 'ab'.repeat(32) });
  expect(fake(topupId).calls).toEqual(['open', 'notice:CONFIRMED', 'deliver']);
});

test('without a webhook it asks Airtm until the pay-in is final: CREATED, PROCESSING, then CONFIRMED (three polls)', async () => {
  const { topupId, handle } = await open(['CREATED', 'PROCESSING', 'CONFIRMED'], { pollInitialMs: 50, pollMaxMs: 100 });
  expect((await handle.result()).status).toBe('TOPUP_SUCCEEDED');
  expect(fake(topupId).calls).toEqual(['open', 'poll', 'poll', 'poll', 'deliver']);
});

test('its calls to Airtm heartbeat (10 s): a call lost with a killed worker is retried in seconds, not after its minute', async () => {
  const { handle } = await open(['CREATED', 'CONFIRMED'], { pollInitialMs: 50, pollMaxMs: 100 });
  await handle.result();
  const scheduled = (await handle.fetchHistory()).events!.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a ? [{ type: a.activityType!.name, heartbeatS: Number(a.heartbeatTimeout?.seconds ?? 0) }] : [];
  });
  expect(scheduled.filter((a) => a.type === 'pollTopupPayin')).toEqual([
    { type: 'pollTopupPayin', heartbeatS: 10 },
    { type: 'pollTopupPayin', heartbeatS: 10 },
  ]);
});

test('a failed pay-in ends TOPUP_FAILED with no delivery', async () => {
  const { topupId, handle } = await open(['FAILED'], { pollInitialMs: 50 });
  expect((await handle.result()).status).toBe('TOPUP_FAILED');
  expect(fake(topupId).calls).toEqual(['open', 'poll']);
});

test('cancel before payment answers TOPUP_CANCELED and ends the workflow; after payment it is refused INVALID_STATE', async () => {
  const first = await open(['CREATED']);
  expect(await first.handle.executeUpdate(cancelTopup, { args: [{ type: 'api_key', id: 'key_1' }] })).toMatchObject({
    status: 'TOPUP_CANCELED',
  });
  expect((await first.handle.result()).status).toBe('TOPUP_CANCELED');
  expect(fake(first.topupId).calls).toEqual(['open', 'cancel']);

  const paid = await open(['CREATED']);
  await paid.handle.signal(payinEvent, { svixId: 'msg_2', type: 'payin.created', status: 'PROCESSING' });
  while ((await paid.handle.query(topupState))?.status !== 'TOPUP_PROCESSING') await new Promise((r) => setTimeout(r, 20));
  const refused = await paid.handle.executeUpdate(cancelTopup, { args: [{ type: 'api_key', id: 'key_1' }] }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((refused as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
  expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('INVALID_STATE');
  expect(fake(paid.topupId).calls).toEqual(['open', 'notice:PROCESSING']);
  await paid.handle.terminate('test done');
});

test('unpaid when its lifetime ends: the pay-in is cancelled as expired, TOPUP_EXPIRED, nothing delivered', async () => {
  const { topupId, handle } = await open(['CREATED'], { pollInitialMs: 100, pollMaxMs: 100, expiryMs: 400 });
  expect((await handle.result()).status).toBe('TOPUP_EXPIRED');
  const calls = fake(topupId).calls;
  expect(calls[0]).toBe('open');
  expect(calls.at(-1)).toBe('expire');
  expect(calls).not.toContain('deliver');
  expect(calls.slice(1, -1).every((c) => c === 'poll')).toBe(true);
});
