/** What Horizon said about a submission, reduced to what decides our next step. */
export type SubmitVerdict =
  | { kind: 'applied_failed'; codes: ResultCodes } // in a ledger, failed: sequence and fee consumed; terminal
  | { kind: 'not_applied_resubmittable'; codes: ResultCodes } // bad sequence / expired: never applied; rebuild is safe
  | { kind: 'rejected'; codes: ResultCodes } // refused before applying for a reason a rebuild won't fix
  | { kind: 'transient'; reason: string }; // timeout, network, 5xx, rate limit: resubmit the same envelope

export interface ResultCodes {
  transaction: string;
  operations?: string[];
  inner_transaction?: string;
}

const NOT_APPLIED_RESUBMITTABLE = new Set(['tx_bad_seq', 'tx_too_late']);
/** Fee problems are the platform's to fix (fund it, raise the fee); the payment itself is still valid. */
const PLATFORM_SIDE = new Set(['tx_insufficient_fee', 'tx_insufficient_balance', 'tx_internal_error']);

export function classifySubmitError(err: unknown): SubmitVerdict {
  const response = (err as { response?: { status?: number; data?: { extras?: { result_codes?: ResultCodes } } } }).response;
  const codes = response?.data?.extras?.result_codes;
  if (!response || !response.status || response.status >= 500 || response.status === 429) {
    return { kind: 'transient', reason: response?.status ? `horizon answered ${response.status}` : String((err as Error)?.message ?? err) };
  }
  if (!codes) return { kind: 'rejected', codes: { transaction: `http_${response.status}` } };
  // A fee-bump wraps its inner transaction's verdict; judge by the inner one.
  const verdict = codes.transaction === 'tx_fee_bump_inner_failed' ? (codes.inner_transaction ?? 'tx_failed') : codes.transaction;
  if (verdict === 'tx_failed') return { kind: 'applied_failed', codes };
  if (NOT_APPLIED_RESUBMITTABLE.has(verdict)) return { kind: 'not_applied_resubmittable', codes };
  if (PLATFORM_SIDE.has(verdict)) return { kind: 'transient', reason: verdict };
  return { kind: 'rejected', codes };
}
