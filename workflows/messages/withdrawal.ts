import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { WithdrawalView } from '../../src/withdrawals/render';
import type { WithdrawalRequest } from '../../src/withdrawals/request';

export type { WithdrawalRequest };

/** What the API asks of a withdrawal workflow (message definitions only: the API imports this file). */

/** Holds the funds and records the withdrawal; fails with INSUFFICIENT_FUNDS when the balance is short. */
export const commitWithdrawal = defineUpdate<WithdrawalView>('commit');
export const withdrawalState = defineQuery<{ phase: 'COMMITTING' | 'REFUSED' | 'PAYING' | 'DONE'; withdrawal: WithdrawalView | null }>(
  'state',
);
