import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { UserIdKey } from '../src/temporal/search-attributes';
import { walletWorkflowId } from '../workflows/ids';
import type { ApiDeps } from './context';

/**
 * Starts the activation of a user's wallet on chain unless it already runs. Best effort: when Temporal cannot be
 * reached the wallet stays PENDING and the next deposit-address request starts it again.
 */
export async function startWalletActivation(deps: ApiDeps, userId: string): Promise<void> {
  try {
    const client = await deps.temporal.client();
    await client.workflow.start('walletActivation', {
      workflowId: walletWorkflowId(userId),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ userId, activationTimeoutMs: deps.config.WALLET_ACTIVATION_TIMEOUT_MS }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [{ key: UserIdKey, value: userId }],
    });
  } catch (err) {
    deps.logger.warn({ err, userId }, 'could not start wallet activation; it will be retried on the next deposit-address request');
  }
}
