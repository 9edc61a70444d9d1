import type { Actor } from '../src/audit/actor';
import { AppError } from '../src/errors';
import * as payouts from '../src/withdrawals/airtm-payouts';
import { renderWithdrawal, type WithdrawalView } from '../src/withdrawals/render';
import type { AirtmPayoutRequest } from '../src/withdrawals/request';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { rethrowRefusal } from './refusals';
import { sweepPayoutToTreasury } from '../src/withdrawals/payout-sweep';
import { recordAndHold } from './withdrawals';

export interface PayoutStep {
  withdrawalId: string;
  /** Who asked (the API key and request id), for the audit log. */
  by?: Actor;
}

/**
 * Airtm payouts (src/withdrawals/airtm-payouts.ts). The hold runs on the main task queue; every activity that calls
 * Airtm runs on the Airtm task queue (workflows/ids.ts airtmTaskQueue), which the worker paces to Airtm's request limit.
 */
export function createAirtmPayoutActivities(deps: ActivityDeps) {
  const payoutDeps = () => {
    if (!deps.airtm) throw new AppError('PROVIDER_ERROR', 'Airtm is not configured on this worker', { provider: 'airtm' });
    return { db: deps.database.db, pool: deps.database.pool, airtm: deps.airtm };
  };
  const run = async (step: () => Promise<Parameters<typeof renderWithdrawal>[0]>): Promise<WithdrawalView> => {
    try {
      return renderWithdrawal(await withHeartbeat(step)); // on the Airtm queue: heartbeating (workflows/ids.ts)
    } catch (err) {
      rethrowRefusal(err);
    }
  };
  return {
    /** Records the withdrawal (AWAITING_COMMIT, or PENDING when sent at once) and holds its amount, in one transaction. */
    async holdAirtmWithdrawal(input: AirtmPayoutRequest): Promise<WithdrawalView> {
      return recordAndHold(deps, input, {
        address: input.email,
        memo: null,
        destinationType: 'airtm',
        status: input.commit ? 'WITHDRAWAL_PENDING' : 'WITHDRAWAL_AWAITING_COMMIT',
      });
    },
    /** Creates the payout at Airtm once (a refusal fails the withdrawal and returns the hold). */
    async createAirtmPayout(input: PayoutStep & { commit: boolean }): Promise<WithdrawalView> {
      return run(() => payouts.createAirtmPayout(payoutDeps(), input.withdrawalId, input.commit));
    },
    async commitAirtmPayout(input: PayoutStep): Promise<WithdrawalView> {
      return run(() => payouts.commitAirtmPayout(payoutDeps(), input.withdrawalId, input.by));
    },
    async cancelAirtmPayout(input: PayoutStep): Promise<WithdrawalView> {
      return run(() => payouts.cancelAirtmPayout(payoutDeps(), input.withdrawalId, input.by));
    },
    /** Asks Airtm where the payout is and records it (settled when final). */
    async checkAirtmPayout(input: PayoutStep): Promise<WithdrawalView> {
      return run(() => payouts.checkAirtmPayout(payoutDeps(), input.withdrawalId));
    },
    /**
     * On the main task queue (a chain step): returns a completed payout's USDC from the user's wallet to the treasury,
     * once (`withdrawal:<id>:treasury:<attempt>`); retried, with the withdrawal's last_error, while it cannot.
     */
    async sweepAirtmPayout(input: PayoutStep): Promise<WithdrawalView> {
      const sweepDeps = { db: deps.database.db, pool: deps.database.pool, network: deps.stellar, box: deps.secretBox };
      return renderWithdrawal(await withHeartbeat(() => sweepPayoutToTreasury(sweepDeps, input.withdrawalId)));
    },
  };
}
