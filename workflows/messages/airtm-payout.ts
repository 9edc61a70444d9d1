import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../src/audit/actor';
import type { WithdrawalView } from '../../src/withdrawals/render';
import type { AirtmPayoutRequest } from '../../src/withdrawals/request';

export type { AirtmPayoutRequest };

/** What the API (and the Airtm webhook route) ask of an airtmPayout workflow: message definitions only. */

/** Holds the funds, records the withdrawal and creates the payout at Airtm; INSUFFICIENT_FUNDS when the balance is short. */
export const openAirtmPayout = defineUpdate<WithdrawalView>('openPayout');
/** Sends an uncommitted payout; a committed one is answered as it is; 409 INVALID_STATE once it failed or was cancelled. */
export const commitAirtmPayout = defineUpdate<WithdrawalView, [Actor | undefined]>('commitPayout');
/** Cancels a payout not committed yet, or one waiting for its recipient; the hold goes back. 409 INVALID_STATE otherwise. */
export const cancelAirtmPayout = defineUpdate<WithdrawalView, [Actor | undefined]>('cancelPayout');

/** A verified Airtm payout webhook (`payout.created`, `.completed`, `.failed`, `.canceled`): its body as Airtm sent it. */
export interface AirtmPayoutWebhook {
  type: string;
  data: unknown;
  /** The `svix-id` it came with, for the record. */
  svixId?: string;
}
/**
 * The Airtm webhook route signals the payout's workflow with each payout event (`airtmPayoutWorkflowId(data.code)`):
 * the workflow asks Airtm for the payout at once instead of waiting for its next poll.
 */
export const airtmPayoutEvent = defineSignal<[AirtmPayoutWebhook]>('airtmPayoutEvent');

export const airtmPayoutState = defineQuery<{ phase: 'OPENING' | 'REFUSED' | 'OPEN'; withdrawal: WithdrawalView | null }>('state');
