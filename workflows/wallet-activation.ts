import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertMemo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

const chainOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['WalletActivationRefused'] },
};
const chain = proxyActivities<Activities>(chainOptions);
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

export interface WalletActivationInput {
  userId: string;
  /** Retried through transient faults this long (absent in activations started before it existed: no limit). */
  activationTimeoutMs?: number;
}

/**
 * `wallet-<userId>`: puts the user's Stellar account on chain (sponsored, with a USDC trustline). An activation that
 * is refused or still failing after `activationTimeoutMs` is an error an operator sees: the wallet is FAILED in the
 * API, the workflow's memo says why and the workflow fails. Asking for the deposit address starts it again.
 */
export async function walletActivation(input: WalletActivationInput): Promise<{ publicKey: string }> {
  if (!input.activationTimeoutMs || !patched('wallet-activation-bounded')) return chain.activateWallet({ userId: input.userId });
  const bounded = proxyActivities<Activities>({ ...chainOptions, scheduleToCloseTimeout: input.activationTimeoutMs });
  try {
    return await bounded.activateWallet({ userId: input.userId });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const last = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : (cause as Error).message;
    const reason = cause instanceof ApplicationFailure && cause.nonRetryable ? last : `gave up after its retries: ${last}`;
    upsertMemo({ summary: `FAILED · wallet of ${input.userId} · ${reason}` });
    await local.markWalletFailed({ userId: input.userId });
    throw ApplicationFailure.create({ type: 'WalletActivationFailed', message: `wallet activation failed: ${reason}`, nonRetryable: true });
  }
}
