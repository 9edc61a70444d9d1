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
