import { payOutWithdrawal } from '../src/withdrawals/pay-out';
import { renderWithdrawal, type WithdrawalView } from '../src/withdrawals/render';
import { createWithdrawal } from '../src/withdrawals/withdrawals-repository';
import type { WithdrawalRequest } from '../src/withdrawals/request';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { rethrowRefusal } from './refusals';

export function createWithdrawalActivities(deps: ActivityDeps) {
  const payOutDeps = { db: deps.database.db, pool: deps.database.pool, network: deps.stellar, box: deps.secretBox };
  return {
    /** Records the withdrawal and holds its amount (available → in flight) in one transaction; refusals are final. */
    async commitWithdrawal(input: WithdrawalRequest): Promise<WithdrawalView> {
      try {
        const row = await createWithdrawal(
          deps.database.pool,
          deps.database.db,
          {
            id: input.withdrawalId,
            userId: input.userId,
            amount: BigInt(input.amountMinor),
            currency: input.currency,
            address: input.address,
            memo: input.memo,
          },
          input.by,
        );
        return renderWithdrawal(row);
      } catch (err) {
        rethrowRefusal(err);
      }
    },
    /** Pays the withdrawal on chain (once) and settles the ledger; retried until Stellar gives a final answer. */
    async payOutWithdrawal(input: { withdrawalId: string }): Promise<WithdrawalView> {
      return renderWithdrawal(await withHeartbeat(() => payOutWithdrawal(payOutDeps, input.withdrawalId)));
    },
  };
}
