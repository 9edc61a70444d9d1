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
/**
 * Activations go in batches (one transaction per channel account and ledger): an activity waits for its batch's ledger,
 * a ledger or two, and heartbeats meanwhile. At 5 s heartbeats every waiting activation costs Temporal a write every 4 s;
 * 30 s notices a dead worker soon enough and lets most activations finish before their first heartbeat.
 */
const batchedOptions: ActivityOptions = { ...chainOptions, heartbeatTimeout: '30 seconds' };
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
  const options = patched('wallet-activation-batched') ? batchedOptions : chainOptions;
  if (!input.activationTimeoutMs || !patched('wallet-activation-bounded')) {
    return (options === chainOptions ? chain : proxyActivities<Activities>(options)).activateWallet({ userId: input.userId });
  }
  const bounded = proxyActivities<Activities>({ ...options, scheduleToCloseTimeout: input.activationTimeoutMs });
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
