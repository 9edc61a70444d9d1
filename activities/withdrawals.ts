import { payOutWithdrawal } from '../src/withdrawals/pay-out';
import { renderWithdrawal, type WithdrawalView } from '../src/withdrawals/render';
import type { Actor } from '../src/audit/actor';
import { createWithdrawal, type NewWithdrawal } from '../src/withdrawals/withdrawals-repository';
import type { WithdrawalRequest } from '../src/withdrawals/request';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { rethrowRefusal } from './refusals';

export function createWithdrawalActivities(deps: ActivityDeps) {
  const payOutDeps = { db: deps.database.db, pool: deps.database.pool, network: deps.stellar, box: deps.secretBox };
  return {
    /** Records the withdrawal and holds its amount (available → in flight) in one transaction; refusals are final. */
    async commitWithdrawal(input: WithdrawalRequest): Promise<WithdrawalView> {
      return recordAndHold(deps, input, { address: input.address, memo: input.memo });
    },
    /** Pays the withdrawal on chain (once) and settles the ledger; retried until Stellar gives a final answer. */
    async payOutWithdrawal(input: { withdrawalId: string }): Promise<WithdrawalView> {
      return renderWithdrawal(await withHeartbeat(() => payOutWithdrawal(payOutDeps, input.withdrawalId)));
    },
  };
}

/**
 * Records a withdrawal and holds its amount (available → withdrawing) in one transaction, as its workflow asked
 * (`destination`: where it goes and the status it starts in); a refusal (INSUFFICIENT_FUNDS) is final.
 */
export async function recordAndHold(
  deps: ActivityDeps,
  input: { withdrawalId: string; userId: string; amountMinor: string; currency: 'USD'; by?: Actor },
  destination: Pick<NewWithdrawal, 'address' | 'memo' | 'destinationType' | 'status'>,
): Promise<WithdrawalView> {
  try {
    const w = { id: input.withdrawalId, userId: input.userId, amount: BigInt(input.amountMinor), currency: input.currency, ...destination };
    return renderWithdrawal(await createWithdrawal(deps.database.pool, deps.database.db, w, input.by));
  } catch (err) {
    rethrowRefusal(err);
  }
}
