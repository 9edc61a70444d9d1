/**
 * The on-ramp order's statuses, commands and error codes exactly as document 003 names them (shared/seeds/003), as
 * pure data and functions: the workflow, the activities and the API all decide with these.
 *
 * SESSION_CREATED → SIGNAL_SENT → SIGNAL_MINED → PAYMENT_SENT → PROOF_VERIFIED → PROOF_SUBMITTED → FULFILL_SUBMITTED →
 * FULFILLED; alternative paths: SIGNAL_MINED (or PAYMENT_SENT) → EXPIRED at the expiry, → CANCELLED by support,
 * PROOF_VERIFIED (and later) → FAILED when the claim reverts or times out; SIGNAL_SENT → FAILED when the signal reverts.
 */
export const ONRAMP_STATUSES = [
  'SESSION_CREATED',
  'SIGNAL_SENT',
  'SIGNAL_MINED',
  'PAYMENT_SENT',
  'PROOF_VERIFIED',
  'PROOF_SUBMITTED',
  'FULFILL_SUBMITTED',
  'FULFILLED',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
] as const;
export type OnrampStatus = (typeof ONRAMP_STATUSES)[number];

export const TERMINAL: ReadonlySet<OnrampStatus> = new Set(['FULFILLED', 'CANCELLED', 'EXPIRED', 'FAILED']);

/** Where the intent is on chain, open, and waiting for the buyer's fiat payment and its proof. */
export const AWAITING_PROOF: ReadonlySet<OnrampStatus> = new Set(['SIGNAL_MINED', 'PAYMENT_SENT']);

/** 003's error codes with its retry rule (`canRetry`) and the HTTP status the API answers them with. */
export const ONRAMP_ERRORS = {
  PROOF_INVALID: { canRetry: true, status: 422, description: 'Proof verification failed' },
  PROOF_EXPIRED: { canRetry: true, status: 422, description: 'Proof timestamp too old' },
  FULFILL_TIMEOUT: { canRetry: false, status: 504, description: 'On-chain tx timed out' },
  FULFILL_REVERTED: { canRetry: false, status: 502, description: 'On-chain tx reverted' },
  ORDER_NOT_FOUND: { canRetry: false, status: 404, description: 'Order doesn’t exist' },
  ORDER_ALREADY_FULFILLED: { canRetry: false, status: 409, description: 'Already completed' },
  /** Ours, beside 003's: the order is not in a status that takes this command (expired, cancelled, failed, …). */
  INVALID_STATE: { canRetry: false, status: 409, description: 'The order does not take this command in its status' },
} as const;
export type OnrampErrorCode = keyof typeof ONRAMP_ERRORS;

/** Why a signal or claim is not done yet (last_error codes of a stuck order). */
export type OnrampStuckCode = 'SIGNAL_NOT_MINED' | 'SIGNAL_REVERTED' | 'FULFILL_TIMEOUT' | 'FULFILL_REVERTED' | 'RETURN_NOT_MINED';

export type OnrampCommand = 'payment-sent' | 'fulfill' | 'cancel';

const ACCEPTS: Record<OnrampCommand, ReadonlySet<OnrampStatus>> = {
  'payment-sent': new Set(['SIGNAL_MINED']),
  fulfill: AWAITING_PROOF,
  cancel: new Set(['SESSION_CREATED', 'SIGNAL_MINED', 'PAYMENT_SENT']),
};

/** Null when `status` takes `command`; else the refusal's code (ORDER_ALREADY_FULFILLED or INVALID_STATE). */
export function refusal(status: OnrampStatus, command: OnrampCommand): { code: OnrampErrorCode; message: string } | null {
  if (ACCEPTS[command].has(status)) return null;
  if (status === 'FULFILLED') return { code: 'ORDER_ALREADY_FULFILLED', message: 'The order is already fulfilled' };
  return { code: 'INVALID_STATE', message: `The order is ${status}; it does not take ${command}` };
}
