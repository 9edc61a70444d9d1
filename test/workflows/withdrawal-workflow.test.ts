import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, WithStartWorkflowOperation, WorkflowIdConflictPolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import type { WithdrawalView } from '../../src/withdrawals/render';
import { withdrawalWorkflowId } from '../../workflows/ids';
import { commitWithdrawal, type WithdrawalRequest, withdrawalState } from '../../workflows/messages/withdrawal';
import { unique } from '../helpers/app';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/**
 * The withdrawal workflow on the real Temporal dev server with its two activities stubbed: each test decides what the
 * commit and the payout answer, attempt by attempt. Nothing here touches the database or a chain.
 */
type Behaviour = {
  commit?: (attempt: number) => WithdrawalView | Promise<WithdrawalView>;
  pay?: (attempt: number) => WithdrawalView | Promise<WithdrawalView>;
};
const behaviours = new Map<string, Behaviour>();
const attempts = new Map<string, { commit: number[]; pay: number[] }>();

const view = (id: string, status: string): WithdrawalView => ({
  id,
  user_id: 'usr_1',
  amount: '5.0000000',
  currency: 'USD',
  destination: { type: 'stellar', address: 'G…', memo: null },
  status,
  airtm_payout: null,
  tx_hash: null,
  failure_code: null,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
  completed_at: null,
});
const seen = (id: string) => attempts.get(id) ?? attempts.set(id, { commit: [], pay: [] }).get(id)!;

const activities: Pick<Activities, 'commitWithdrawal' | 'payOutWithdrawal'> = {
  async commitWithdrawal(input) {
    const attempt = Context.current().info.attempt;
    seen(input.withdrawalId).commit.push(attempt);
    const b = behaviours.get(input.withdrawalId)?.commit;
    return b ? b(attempt) : view(input.withdrawalId, 'WITHDRAWAL_COMMITTED');
  },
  async payOutWithdrawal(input) {
    const attempt = Context.current().info.attempt;
    seen(input.withdrawalId).pay.push(attempt);
    const b = behaviours.get(input.withdrawalId)?.pay;
    return b ? b(attempt) : view(input.withdrawalId, 'WITHDRAWAL_COMPLETED');
  },
};

const stubbed = useStubbedWorker('withdrawal-wf-tq', activities);
const taskQueue = stubbed.taskQueue;
let client: Client;
beforeAll(() => {
  client = stubbed.client;
});

/** What the API does: start the workflow and wait on its commit update. */
function commit(behaviour: Behaviour) {
  const withdrawalId = unique('wd');
  behaviours.set(withdrawalId, behaviour);
  const request: WithdrawalRequest = {
    withdrawalId,
    userId: 'usr_1',
    amountMinor: '50000000',
    currency: 'USD',
    address: 'G…',
    memo: null,
  };
  const start = new WithStartWorkflowOperation('withdrawal', {
    workflowId: withdrawalWorkflowId(withdrawalId),
    taskQueue,
    args: [request],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  const answer = client.workflow.executeUpdateWithStart(commitWithdrawal, {
    updateId: `idem-${withdrawalId}`,
    startWorkflowOperation: start,
  });
  return { withdrawalId, answer, handle: () => start.workflowHandle() };
}

describe('the commit holds money, so a fault never becomes a refusal', () => {
  test('a commit that faults five times (more than the old limit of 5 attempts) is retried and the withdrawal is paid', async () => {
    const c = commit({
      commit: (attempt) => {
        if (attempt <= 5) throw new Error(`database unreachable (attempt ${attempt})`);
        return view('x', 'WITHDRAWAL_COMMITTED');
      },
    });
    expect((await c.answer).status).toBe('WITHDRAWAL_COMMITTED');
    const handle = await c.handle();
    expect((await handle.result())?.status).toBe('WITHDRAWAL_COMPLETED');
    expect(seen(c.withdrawalId)).toEqual({ commit: [1, 2, 3, 4, 5, 6], pay: [1] });
  }, 60_000);

  test('a business refusal (INSUFFICIENT_FUNDS) is answered at once, not retried, and ends the workflow without paying', async () => {
    const c = commit({
      commit: () => {
        throw ApplicationFailure.create({ type: 'INSUFFICIENT_FUNDS', message: 'Insufficient available funds', nonRetryable: true });
      },
    });
    const err = await c.answer.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'INSUFFICIENT_FUNDS' });
    const handle = await c.handle();
    expect(await handle.result()).toBeNull();
    expect(await handle.query(withdrawalState)).toEqual({ phase: 'REFUSED', withdrawal: null });
    expect(seen(c.withdrawalId)).toEqual({ commit: [1], pay: [] });
  });
});
