import type { Actor } from '../audit/actor';

/** A withdrawal as the API asks for it: the withdrawal workflow's input and the payment activity's. */
export interface WithdrawalRequest {
  withdrawalId: string;
  userId: string;
  /** Minor units as a decimal string (workflow arguments are JSON). */
  amountMinor: string;
  currency: 'USD';
  address: string;
  memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
  /** Who asked (the API key and request id), for the audit log; absent in withdrawals started before it. */
  by?: Actor;
}

/** An Airtm payout as the API asks for it: the airtmPayout workflow's input (JSON: amounts as minor-unit strings). */
export interface AirtmPayoutRequest {
  withdrawalId: string;
  userId: string;
  amountMinor: string;
  currency: 'USD';
  /** The recipient's Airtm email (an account that does not exist yet gets the payout once its owner signs up). */
  email: string;
  /** Send it at once; otherwise it waits uncommitted for POST /withdrawals/{id}/commit. */
  commit: boolean;
  /** The first wait before asking Airtm again, doubled after each ask up to `maxMs` (AIRTM_PAYOUT_POLL_*). */
  poll: { initialMs: number; maxMs: number };
  /** An uncommitted payout is cancelled after this long (AIRTM_UNCOMMITTED_PAYOUT_TTL_MS). */
  uncommittedTtlMs: number;
  by?: Actor;
  /** Set when the workflow continued as new: the withdrawal exists, follow it. */
  resumed?: boolean;
  /** Checks before the workflow continues as new (default 500; tests lower it). */
  checksPerRun?: number;
}
