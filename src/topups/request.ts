import type { Actor } from '../audit/actor';

/** A top-up as the API asks for it: the top-up workflow's input. Plain JSON (workflow arguments). */
export interface TopupRequest {
  topupId: string;
  userId: string;
  /** Minor units as a decimal string. */
  amountMinor: string;
  currency: 'USD';
  /** Where the browser returns after Airtm's page (`confirmationUri` / `cancelUri`); never proof of payment. */
  returnUrl: string;
  /** How long to wait for the webhook before asking Airtm, the longest wait between asks, and when the pay-in expires. */
  pollInitialMs: number;
  pollMaxMs: number;
  expiryMs: number;
  by?: Actor;
}

/** What the workflow hears from the API's webhook route: a verified Airtm event about its pay-in. */
export interface PayinNotice {
  svixId: string;
  type: string;
  status: string;
  failureReason?: string;
  payerEmail?: string;
}
