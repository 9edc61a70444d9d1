import { ApplicationFailure, Context } from '@temporalio/activity';
import { ActivationBatcher } from '../src/wallets/activation-batcher';
import { walletLastError } from '../src/wallets/last-error';
import { WalletActivationRefused } from '../src/wallets/wallets';
import { markWalletFailed, recordWalletError } from '../src/wallets/wallets-repository';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

export interface ActivateWalletInput {
  userId: string;
}

export function createWalletActivities(deps: ActivityDeps) {
  const batcher = new ActivationBatcher(
    { db: deps.database.db, pool: deps.database.pool, network: deps.stellar, box: deps.secretBox },
    deps.walletActivationChannels,
  );
  return {
    /**
     * Creates the user's sponsored account with a USDC trustline on chain, in a batch with other users' (once: a retry
     * first looks the account up, and a batch's envelope is resubmitted as it is).
     */
    async activateWallet(input: ActivateWalletInput): Promise<{ publicKey: string }> {
      try {
        const maybeOnChain = Context.current().info.attempt > 1;
        const wallet = await withHeartbeat(() => batcher.activate({ userId: input.userId, maybeOnChain }), { sparing: true });
        return { publicKey: wallet.publicKey };
      } catch (err) {
        // The wallet shows a code and a sentence of ours (`last_error`); the exception's text goes to the logs only.
        deps.logger.warn({ userId: input.userId, err: (err as Error).message }, 'wallet activation failed');
        // Best effort, and safe to lose: `last_error` only explains the wallet to a reader. The failure itself is thrown
        // just below either way (retried, or refused and marked FAILED by the workflow), and no money moves on this path.
        await recordWalletError(deps.database.db, input.userId, walletLastError(err)).catch(() => undefined);
        if (err instanceof WalletActivationRefused) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
    },
    /** The activation gave up: the wallet is FAILED for the API and the operator. */
    async markWalletFailed(input: ActivateWalletInput): Promise<void> {
      await markWalletFailed(deps.database.db, input.userId);
    },
  };
}
