import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import { walletWorkflowId } from '../../workflows/ids';
import { unique } from '../helpers/app';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/** The wallet activation workflow on the real Temporal dev server, its activities stubbed per user. */
const behaviours = new Map<string, (attempt: number) => { publicKey: string }>();
const failedMarks: string[] = [];

const activities: Pick<Activities, 'activateWallet' | 'markWalletFailed'> = {
  async activateWallet(input) {
    return behaviours.get(input.userId)!(Context.current().info.attempt);
  },
  async markWalletFailed(input) {
    failedMarks.push(input.userId);
  },
};

const stubbed = useStubbedWorker('wallet-wf-tq', activities);
const taskQueue = stubbed.taskQueue;
let client: Client;
beforeAll(() => {
  client = stubbed.client;
});

function activate(userId: string, activationTimeoutMs: number) {
  return client.workflow.start('walletActivation', {
    workflowId: walletWorkflowId(userId),
    taskQueue,
    args: [{ userId, activationTimeoutMs }],
  });
}

describe('a wallet that never activates is an error an operator sees', () => {
  test('activation faulting past activationTimeoutMs: the wallet is marked FAILED, the memo says why, the workflow fails', async () => {
    const userId = unique('usr');
    behaviours.set(userId, (attempt) => {
      throw new Error(`horizon unreachable (attempt ${attempt})`);
    });
    const handle = await activate(userId, 2_500);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'WalletActivationFailed' });
    expect((err as WorkflowFailedError).cause?.message).toMatch(
      /^wallet activation failed: gave up after its retries: horizon unreachable/,
    );
    expect(failedMarks).toContain(userId);
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.memo?.summary).toMatch(new RegExp(`^FAILED · wallet of ${userId} · gave up after its retries: horizon unreachable`));
  }, 30_000);

  test('a refused activation is FAILED at once with the refusal as the reason', async () => {
    const userId = unique('usr');
    behaviours.set(userId, () => {
      throw ApplicationFailure.nonRetryable('activation failed: op_underfunded', 'WalletActivationRefused');
    });
    const handle = await activate(userId, 60_000);
    const err = await handle.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause?.message).toBe('wallet activation failed: activation failed: op_underfunded');
    expect(failedMarks).toContain(userId);
  });

  test('an activation that succeeds after faults returns the public key and marks nothing', async () => {
    const userId = unique('usr');
    behaviours.set(userId, (attempt) => {
      if (attempt < 2) throw new Error('timeout');
      return { publicKey: 'GABC' };
    });
    expect(await (await activate(userId, 60_000)).result()).toEqual({ publicKey: 'GABC' });
    expect(failedMarks).not.toContain(userId);
  });
});
