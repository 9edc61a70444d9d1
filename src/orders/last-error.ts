import type { LastError } from '../db/schema/orders';

export type { LastError };

/**
 * What a failure is known by. A failed attempt carries its number and whether it will be retried; the refusal
 * the workflow keeps on its state (StepError, src/orders/order-state.ts) carries neither, and is final; so is a
 * value stored before `attempt` and `retrying` were always written.
 */
export type FailureFacts = Pick<LastError, 'step' | 'code' | 'at'> & Partial<Pick<LastError, 'attempt' | 'retrying'>>;

/**
 * What an API caller (any `read` key) may be told about a failure: the code and a sentence of ours. Exception text can
 * carry hostnames, SQL or a provider's raw answer; it is logged by the worker with the order id, never stored here.
 */
const SAFE_MESSAGES: Record<string, string> = {
  PROVIDER_ERROR:
    'The provider refused this step; the order went back to where it was. An operator can read the provider’s answer in the worker’s logs.',
  PROVIDER_UNAVAILABLE: 'Trustless Work or the Stellar network could not be reached or did not answer in time; the step is being retried.',
  PROVIDER_TIMEOUT: 'The step did not complete within its time limit; the order went back to where it was.',
  INSUFFICIENT_FUNDS: 'The available balance is short for this step.',
  INVALID_STATE: 'The order was not in a state that allows this step.',
  VALIDATION_ERROR: 'The step was refused as invalid.',
  INTERNAL_ERROR: 'The step failed unexpectedly; an operator can read the details in the worker’s logs.',
};

export function safeMessage(code: string): string {
  return SAFE_MESSAGES[code] ?? `The step failed (${code}).`;
}

/** The one builder of `last_error`; null in, null out (no error, or a transition cleared it). */
export function lastError(f: FailureFacts): LastError;
export function lastError(f: FailureFacts | null | undefined): LastError | null;
export function lastError(f: FailureFacts | null | undefined): LastError | null {
  if (!f) return null;
  return { step: f.step, code: f.code, message: safeMessage(f.code), attempt: f.attempt ?? null, retrying: f.retrying ?? false, at: f.at };
}
