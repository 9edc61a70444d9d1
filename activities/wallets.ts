import { ApplicationFailure } from '@temporalio/activity';
import { activateWallet, WalletActivationRefused } from '../src/wallets/wallets';
import { markWalletFailed } from '../src/wallets/wallets-repository';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

export interface ActivateWalletInput {
  userId: string;
}

export function createWalletActivities(deps: ActivityDeps) {
  return {
    /** Creates the user's sponsored account with a USDC trustline on chain (once; a retry resubmits the same envelope). */
    async activateWallet(input: ActivateWalletInput): Promise<{ publicKey: string }> {
      try {
        const wallet = await withHeartbeat(() =>
          activateWallet({ db: deps.database.db, pool: deps.database.pool, network: deps.stellar, box: deps.secretBox }, input.userId),
        );
        return { publicKey: wallet.publicKey };
      } catch (err) {
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
