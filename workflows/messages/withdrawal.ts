import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { WithdrawalView } from '../../src/withdrawals/render';

/** What the API asks of a withdrawal workflow (message definitions only: the API imports this file). */
export interface WithdrawalRequest {
  withdrawalId: string;
  userId: string;
  /** Minor units as a decimal string (workflow arguments are JSON). */
  amountMinor: string;
  currency: 'USD';
  address: string;
  memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
}

/** Holds the funds and records the withdrawal; fails with INSUFFICIENT_FUNDS when the balance is short. */
export const commitWithdrawal = defineUpdate<WithdrawalView>('commit');
export const withdrawalState = defineQuery<{ phase: 'COMMITTING' | 'REFUSED' | 'PAYING' | 'DONE'; withdrawal: WithdrawalView | null }>('state');
