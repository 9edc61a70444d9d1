/** What Horizon said about a submission, reduced to what decides our next step. */
export type SubmitVerdict =
  | { kind: 'applied_failed'; codes: ResultCodes } // in a ledger, failed: sequence and fee consumed; terminal
  | { kind: 'not_applied_resubmittable'; codes: ResultCodes } // bad sequence / expired: never applied; rebuild is safe
  | { kind: 'insufficient_fee'; codes: ResultCodes } // the bid is below the network's fee: never applied; bid higher
  | { kind: 'rejected'; codes: ResultCodes } // refused for a reason we do not know to be passing: terminal, codes kept
  | { kind: 'transient'; reason: string }; // timeout, network, 5xx, rate limit: resubmit the same envelope

export interface ResultCodes {
  transaction: string;
  operations?: string[];
  inner_transaction?: string;
}

const NOT_APPLIED_RESUBMITTABLE = new Set(['tx_bad_seq', 'tx_too_late']);
/**
 * The platform's own account cannot pay the fee yet (fund it) or stellar-core failed internally: the payment itself is
 * still valid and the same envelope may apply later.
 */
const PLATFORM_SIDE = new Set(['tx_insufficient_balance', 'tx_internal_error']);
/**
 * HTTP statuses Horizon answers for a submission that may still go through (Horizon's problem types timeout 504,
 * rate_limit_exceeded 429, server_error 500, stale_history 503; 408 for a proxy's request timeout). stellar-core's
 * TRY_AGAIN_LATER (its queue already holds a transaction of the same source account, src/herder/TransactionQueue.cpp)
 * is one of them: POST /transactions waits for the transaction and answers 504 timeout, POST /transactions_async
 * answers 503 `{tx_status: "TRY_AGAIN_LATER"}`. Never applied, sequence untouched: the same envelope is sent again later.
 */
const isTransientStatus = (status: number) => status >= 500 || status === 429 || status === 408;

/**
 * Fail closed: only what is known to pass (no answer at all, a timeout, 5xx, 429) is retried with the same envelope;
 * every other answer, an unknown result code or an unknown HTTP status included, is a terminal refusal that keeps
 * Horizon's codes for the operator.
 */
export function classifySubmitError(err: unknown): SubmitVerdict {
  const response = (err as { response?: { status?: number; data?: { extras?: { result_codes?: ResultCodes } } } }).response;
  if (!response || !response.status) return { kind: 'transient', reason: String((err as Error)?.message ?? err) };
  if (isTransientStatus(response.status)) return { kind: 'transient', reason: `horizon answered ${response.status}` };
  const codes = response.data?.extras?.result_codes;
  if (response.status !== 400 || !codes || typeof codes.transaction !== 'string') {
    return { kind: 'rejected', codes: codes && typeof codes.transaction === 'string' ? codes : { transaction: `http_${response.status}` } };
  }
  // A fee bump's own fee is judged on the outer code; otherwise a fee bump wraps its inner transaction's verdict.
  if (codes.transaction === 'tx_insufficient_fee') return { kind: 'insufficient_fee', codes };
  const verdict = codes.transaction === 'tx_fee_bump_inner_failed' ? (codes.inner_transaction ?? 'tx_failed') : codes.transaction;
  if (verdict === 'tx_failed') return { kind: 'applied_failed', codes };
  if (NOT_APPLIED_RESUBMITTABLE.has(verdict)) return { kind: 'not_applied_resubmittable', codes };
  if (verdict === 'tx_insufficient_fee') return { kind: 'insufficient_fee', codes };
  if (PLATFORM_SIDE.has(verdict)) return { kind: 'transient', reason: verdict };
  return { kind: 'rejected', codes };
}

/** Horizon answered 404 (the SDK's NotFoundError): the account or transaction asked for is not there. */
export function isHorizonNotFound(err: unknown): boolean {
  return (err as { response?: { status?: number } }).response?.status === 404 || (err as Error)?.name === 'NotFoundError';
}
