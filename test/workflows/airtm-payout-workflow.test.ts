import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import type { WithdrawalView } from '../../src/withdrawals/render';
import { airtmPayoutWorkflowId } from '../../workflows/ids';
import {
  airtmPayoutEvent,
  airtmPayoutState,
  cancelAirtmPayout,
  commitAirtmPayout,
  openAirtmPayout,
  type AirtmPayoutRequest,
} from '../../workflows/messages/airtm-payout';
import { unique } from '../helpers/app';
import { recordHistory } from '../helpers/histories';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/**
 * The airtmPayout workflow over stubbed activities: what it asks Airtm and when. `airtm` is what the stubbed Airtm
 * answers a check with; `calls` is every activity the workflow ran, in order.
 */
const airtm = new Map<string, string>();
const calls = new Map<string, string[]>();
const refuse = new Map<string, { hold?: string; commit?: string }>();
/** The stubbed Airtm completes the payout at this check. */
const completesAfter = new Map<string, number>();
const HOUR = 3600_000;
/** The stubbed sweep fails this many times (the wallet short of USDC, say) before it lands. */
const sweepFailures = new Map<string, number>();

const view = (id: string, status: string): WithdrawalView => ({
  id,
  user_id: 'usr_1',
  amount: '5',
  currency: 'USD',
  destination: { type: 'airtm', email: 'someone@example.com' },
  status,
  airtm_payout: { id: `po-${id}`, status: null, reason: null, treasury_tx_hash: null, last_error: null },
  tx_hash: null,
  failure_code: null,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
  completed_at: null,
});
const called = (id: string, what: string) => {
  calls.set(id, [...(calls.get(id) ?? []), what]);
  // The hold and the sweep (a chain step) run on the main task queue; every call to Airtm on the Airtm queue.
  expect(Context.current().info.taskQueue.endsWith('-airtm')).toBe(what !== 'hold' && what !== 'sweep');
};
const refusal = (type: string) => ApplicationFailure.create({ type, message: `refused: ${type}`, nonRetryable: true });

const activities: Pick<
  Activities,
  'holdAirtmWithdrawal' | 'createAirtmPayout' | 'commitAirtmPayout' | 'cancelAirtmPayout' | 'checkAirtmPayout' | 'sweepAirtmPayout'
> = {
  async holdAirtmWithdrawal(r) {
    called(r.withdrawalId, 'hold');
    if (refuse.get(r.withdrawalId)?.hold) throw refusal(refuse.get(r.withdrawalId)!.hold!);
    return view(r.withdrawalId, r.commit ? 'WITHDRAWAL_PENDING' : 'WITHDRAWAL_AWAITING_COMMIT');
  },
  async createAirtmPayout(i) {
    called(i.withdrawalId, `create commit=${i.commit}`);
    airtm.set(i.withdrawalId, i.commit ? 'WITHDRAWAL_PENDING' : 'WITHDRAWAL_AWAITING_COMMIT');
    return view(i.withdrawalId, airtm.get(i.withdrawalId)!);
  },
  async commitAirtmPayout(i) {
    called(i.withdrawalId, `commit by ${i.by?.id ?? 'system'}`);
    if (refuse.get(i.withdrawalId)?.commit) throw refusal(refuse.get(i.withdrawalId)!.commit!);
    airtm.set(i.withdrawalId, 'WITHDRAWAL_PENDING');
    return view(i.withdrawalId, 'WITHDRAWAL_PENDING');
  },
  async cancelAirtmPayout(i) {
    called(i.withdrawalId, `cancel by ${i.by?.id ?? 'system'}`);
    airtm.set(i.withdrawalId, 'WITHDRAWAL_CANCELED');
    return view(i.withdrawalId, 'WITHDRAWAL_CANCELED');
  },
  async checkAirtmPayout(i) {
    called(i.withdrawalId, 'check');
    const left = completesAfter.get(i.withdrawalId);
    if (left !== undefined) completesAfter.set(i.withdrawalId, left - 1);
    if (left === 1) airtm.set(i.withdrawalId, 'WITHDRAWAL_COMPLETED');
    return view(i.withdrawalId, airtm.get(i.withdrawalId)!);
  },
  async sweepAirtmPayout(i) {
    called(i.withdrawalId, 'sweep');
    const failures = sweepFailures.get(i.withdrawalId) ?? 0;
    if (failures > 0) {
      sweepFailures.set(i.withdrawalId, failures - 1);
      throw new Error(`the wallet holds 0 USDC, short of payout ${i.withdrawalId}'s 5`);
    }
    const done = view(i.withdrawalId, 'WITHDRAWAL_COMPLETED');
    return { ...done, airtm_payout: { ...done.airtm_payout!, treasury_tx_hash: `tx-${i.withdrawalId}` } };
  },
};

const stubbed = useStubbedWorker('airtm-payout-wf-tq', activities);
const by = { type: 'api_key' as const, id: 'key_1', requestId: 'req_1' };

/** What the API does: start the workflow and wait on its openPayout update. */
function open(opts: {
  commit: boolean;
  pollMs?: number;
  ttlMs?: number;
  refuseHold?: string;
  refuseCommit?: string;
  checksPerRun?: number;
}) {
  const withdrawalId = unique('wd');
  refuse.set(withdrawalId, { hold: opts.refuseHold, commit: opts.refuseCommit });
  const request: AirtmPayoutRequest = {
    withdrawalId,
    userId: 'usr_1',
    amountMinor: '50000000',
    currency: 'USD',
    email: 'someone@example.com',
    commit: opts.commit,
    poll: { initialMs: opts.pollMs ?? HOUR, maxMs: HOUR },
    uncommittedTtlMs: opts.ttlMs ?? 24 * HOUR,
    by,
    ...(opts.checksPerRun ? { checksPerRun: opts.checksPerRun } : {}),
  };
  const start = new WithStartWorkflowOperation('airtmPayout', {
    workflowId: airtmPayoutWorkflowId(withdrawalId),
    taskQueue: stubbed.taskQueue,
    args: [request],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  const answer = stubbed.client.workflow.executeUpdateWithStart(openAirtmPayout, {
    updateId: `open-${withdrawalId}`,
    startWorkflowOperation: start,
  });
  return { withdrawalId, answer, handle: () => start.workflowHandle() };
}

test('a payout event signalled by the webhook route makes the workflow ask Airtm at once (its next poll is an hour away)', async () => {
  const p = open({ commit: true });
  expect((await p.answer).status).toBe('WITHDRAWAL_PENDING');
  const handle = await p.handle();
  airtm.set(p.withdrawalId, 'WITHDRAWAL_COMPLETED');
  await handle.signal(airtmPayoutEvent, { type: 'payout.completed', data: { code: p.withdrawalId, status: 'COMPLETED' }, svixId: 'msg_1' });
  expect((await handle.result())?.status).toBe('WITHDRAWAL_COMPLETED');
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=true', 'check', 'sweep']);
  await recordHistory('airtm-payout-signalled', airtmPayoutWorkflowId(p.withdrawalId));
});

test('an uncommitted payout waits for its commit; a second commit is answered as it is; a committed one cannot be cancelled', async () => {
  const p = open({ commit: false });
  expect((await p.answer).status).toBe('WITHDRAWAL_AWAITING_COMMIT');
  const handle = await p.handle();
  expect((await handle.executeUpdate(commitAirtmPayout, { args: [by] })).status).toBe('WITHDRAWAL_PENDING');
  expect((await handle.executeUpdate(commitAirtmPayout, { args: [by] })).status).toBe('WITHDRAWAL_PENDING');
  const err = await handle.executeUpdate(cancelAirtmPayout, { args: [by] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'INVALID_STATE' });
  airtm.set(p.withdrawalId, 'WITHDRAWAL_FAILED');
  await handle.signal(airtmPayoutEvent, { type: 'payout.failed', data: {} });
  expect((await handle.result())?.status).toBe('WITHDRAWAL_FAILED');
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=false', 'commit by key_1', 'check']);
});

test('a commit Airtm refuses leaves the payout uncommitted (PROVIDER_ERROR), and it can still be cancelled', async () => {
  const p = open({ commit: false, refuseCommit: 'PROVIDER_ERROR' });
  await p.answer;
  const handle = await p.handle();
  const err = await handle.executeUpdate(commitAirtmPayout, { args: [by] }).catch((e: unknown) => e);
  expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'PROVIDER_ERROR' });
  expect((await handle.query(airtmPayoutState)).withdrawal?.status).toBe('WITHDRAWAL_AWAITING_COMMIT');
  expect((await handle.executeUpdate(cancelAirtmPayout, { args: [by] })).status).toBe('WITHDRAWAL_CANCELED');
  expect((await handle.result())?.status).toBe('WITHDRAWAL_CANCELED');
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=false', 'commit by key_1', 'cancel by key_1']);
});

test('a payout never committed within its time is cancelled by the workflow itself, the hold back', async () => {
  const p = open({ commit: false, ttlMs: 500 });
  await p.answer;
  const handle = await p.handle();
  expect((await handle.result())?.status).toBe('WITHDRAWAL_CANCELED');
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=false', 'cancel by system']);
  await recordHistory('airtm-payout-uncommitted-expired', airtmPayoutWorkflowId(p.withdrawalId));
});

test('a refused hold (INSUFFICIENT_FUNDS) is answered at once and ends the workflow without calling Airtm', async () => {
  const p = open({ commit: true, refuseHold: 'INSUFFICIENT_FUNDS' });
  const err = await p.answer.catch((e: unknown) => e);
  expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'INSUFFICIENT_FUNDS' });
  const handle = await p.handle();
  expect(await handle.result()).toBeNull();
  expect(await handle.query(airtmPayoutState)).toEqual({ phase: 'REFUSED', withdrawal: null });
  expect(calls.get(p.withdrawalId)).toEqual(['hold']);
});

test('without events it polls with a doubling backoff until Airtm says the payout is final', async () => {
  const p = open({ commit: true, pollMs: 50 });
  await p.answer;
  const handle = await p.handle();
  // Two checks see it pending; the third sees it completed.
  completesAfter.set(p.withdrawalId, 3);
  expect((await handle.result())?.status).toBe('WITHDRAWAL_COMPLETED');
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=true', 'check', 'check', 'check', 'sweep']);
  const timers = (await handle.fetchHistory())
    .events!.filter((e) => e.timerStartedEventAttributes)
    .map((e) => e.timerStartedEventAttributes!);
  expect(
    timers.map((t) => Number(t.startToFireTimeout!.seconds ?? 0) * 1000 + Math.round((t.startToFireTimeout!.nanos ?? 0) / 1e6)),
  ).toEqual([50, 100, 200]);
});

test('a payout followed long continues as new and is still followed, committed, to its end', async () => {
  const p = open({ commit: true, pollMs: 10, checksPerRun: 2 });
  await p.answer;
  completesAfter.set(p.withdrawalId, 5);
  const latest = stubbed.client.workflow.getHandle(airtmPayoutWorkflowId(p.withdrawalId));
  expect((await latest.result())?.status).toBe('WITHDRAWAL_COMPLETED');
  // Runs of 2 checks: the first run's 2; the resumed run checks on waking, then 2 more, the last of which completes it.
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=true', 'check', 'check', 'check', 'check', 'check', 'sweep']);
  // The last run was started by a continue-as-new, with the request resumed (the withdrawal exists, the hold is not taken again).
  const started = (await latest.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
  expect(started.continuedExecutionRunId).toMatch(/\S/);
  expect(calls.get(p.withdrawalId)!.filter((c) => c === 'hold')).toHaveLength(1);
  await recordHistory('airtm-payout-continued-as-new', airtmPayoutWorkflowId(p.withdrawalId));
});

test('a completed payout sweeps its USDC to the treasury, retried until it lands; a failed one never sweeps', async () => {
  const p = open({ commit: true });
  await p.answer;
  const handle = await p.handle();
  sweepFailures.set(p.withdrawalId, 2);
  airtm.set(p.withdrawalId, 'WITHDRAWAL_COMPLETED');
  await handle.signal(airtmPayoutEvent, { type: 'payout.completed', data: { code: p.withdrawalId, status: 'COMPLETED' } });
  const done = await handle.result();
  expect(done).toMatchObject({ status: 'WITHDRAWAL_COMPLETED', airtm_payout: { treasury_tx_hash: `tx-${p.withdrawalId}` } });
  // One activity, attempted three times (two failures retried by Temporal), after the check that saw it completed.
  expect(calls.get(p.withdrawalId)).toEqual(['hold', 'create commit=true', 'check', 'sweep', 'sweep', 'sweep']);
  const history = (await handle.fetchHistory()).events!;
  const scheduled = history.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sweepAirtmPayout');
  expect(scheduled).toHaveLength(1);
  expect(scheduled[0].activityTaskScheduledEventAttributes!.taskQueue!.name).toBe(stubbed.taskQueue);
  const markers = history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
  expect(markers).toHaveLength(1);

  const failed = open({ commit: true });
  await failed.answer;
  const failedHandle = await failed.handle();
  airtm.set(failed.withdrawalId, 'WITHDRAWAL_FAILED');
  await failedHandle.signal(airtmPayoutEvent, { type: 'payout.failed', data: {} });
  expect((await failedHandle.result())?.status).toBe('WITHDRAWAL_FAILED');
  expect(calls.get(failed.withdrawalId)).toEqual(['hold', 'create commit=true', 'check']);
});
