import type { PayinStatus } from '../providers/airtm/types';
import type { topupStatuses } from '../db/schema';

/** The pure rules of a top-up: what each pay-in status means for it, which statuses are final, what may be cancelled. */
export type TopupStatus = (typeof topupStatuses)[number];

export const FINAL_TOPUP_STATUSES: readonly TopupStatus[] = ['TOPUP_SUCCEEDED', 'TOPUP_FAILED', 'TOPUP_CANCELED', 'TOPUP_EXPIRED'];

export function isFinalTopup(status: TopupStatus): boolean {
  return FINAL_TOPUP_STATUSES.includes(status);
}

/** A top-up may be cancelled while the user has not paid yet (Airtm cancels only `CREATED` pay-ins, docs/airtm.md). */
export const CANCELLABLE_TOPUP_STATUSES: readonly TopupStatus[] = ['TOPUP_CREATED', 'TOPUP_AWAITING_USER_CONFIRMATION'];

/**
 * What a pay-in's status (#/components/schemas/PayinStatus) makes of its top-up: `CREATED` is still waiting for the
 * user, `PROCESSING` is paid and settling, `CONFIRMED` is money in our Airtm balance (credit), the BRIDGE_ failures
 * and cancellations are failures and cancellations "due to an error in Bridge" (PayinStatus description).
 */
export const PAYIN_OUTCOMES: Record<PayinStatus, TopupStatus> = {
  CREATED: 'TOPUP_AWAITING_USER_CONFIRMATION',
  PROCESSING: 'TOPUP_PROCESSING',
  CONFIRMED: 'TOPUP_SUCCEEDED',
  FAILED: 'TOPUP_FAILED',
  BRIDGE_FAILED: 'TOPUP_FAILED',
  CANCELED: 'TOPUP_CANCELED',
  BRIDGE_CANCELED: 'TOPUP_CANCELED',
};

/**
 * The status a top-up moves to when it hears `payin` status, or null when that tells it nothing new: a final top-up
 * never changes, and a message older than what is known (`created` after `processing`, webhooks out of order) is ignored.
 */
export function nextTopupStatus(current: TopupStatus, payin: PayinStatus): TopupStatus | null {
  if (isFinalTopup(current)) return null;
  const next = PAYIN_OUTCOMES[payin];
  if (next === current) return null;
  if (next === 'TOPUP_AWAITING_USER_CONFIRMATION' && current === 'TOPUP_PROCESSING') return null;
  return next;
}
