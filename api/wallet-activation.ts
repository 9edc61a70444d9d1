import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { AppError } from '../src/errors';
import { UserIdKey } from '../src/temporal/search-attributes';
import { giveBackActivation, takeActivation } from '../src/wallets/activation-budget-repository';
import { walletWorkflowId } from '../workflows/ids';
import type { ApiDeps } from './context';

/**
 * Takes one activation from the day's budget (per API key and for the platform; 429 RATE_LIMITED naming the budget
 * when one is spent), so a caller that changes nothing yet (a refusal) spends nothing.
 */
export async function reserveActivation(deps: ApiDeps, principalId: string): Promise<void> {
  const verdict = await takeActivation(deps.database.pool, principalId, {
    perKey: deps.config.WALLET_ACTIVATIONS_PER_KEY_PER_DAY,
    total: deps.config.WALLET_ACTIVATIONS_PER_DAY,
  });
  if (verdict.granted) return;
  deps.walletActivations.inc({ outcome: `refused_${verdict.exhausted}_budget` });
  throw new AppError(
    'RATE_LIMITED',
    `The daily budget of wallet activations${verdict.exhausted === 'key' ? ' for this API key' : ''} is spent`,
    {
      budget: verdict.exhausted === 'key' ? 'wallet_activations_per_key_per_day' : 'wallet_activations_per_day',
      limit: verdict.limit,
      resets_at: verdict.resetsAt.toISOString(),
    },
  );
}

/**
 * Starts the activation of a user's wallet on chain with an activation already reserved. Already running: nothing
 * new is paid, the reservation is given back. Temporal away: the reservation is given back and the wallet stays
 * PENDING; `POST /users/{id}/wallet/activate` starts it again.
 */
export async function startWalletActivation(deps: ApiDeps, userId: string, principalId: string): Promise<void> {
  try {
    const client = await deps.temporal.client();
    await client.workflow.start('walletActivation', {
      workflowId: walletWorkflowId(userId),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      // Bounded: an activation refused, or still failing after this long, ends with the wallet FAILED and why.
      args: [{ userId, activationTimeoutMs: deps.config.WALLET_ACTIVATION_TIMEOUT_MS }],
      typedSearchAttributes: [{ key: UserIdKey, value: userId }],
    });
    deps.walletActivations.inc({ outcome: 'started' });
  } catch (err) {
    await giveBackActivation(deps.database.pool, principalId);
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      deps.walletActivations.inc({ outcome: 'already_running' });
      return;
    }
    deps.walletActivations.inc({ outcome: 'not_started' });
    deps.logger.warn({ err, userId }, 'could not start wallet activation; POST /users/{id}/wallet/activate starts it again');
  }
}
