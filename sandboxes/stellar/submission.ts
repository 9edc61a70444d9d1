import { problems, renderTransaction } from './horizon-json';
import type { Acceptance, SubmitResult } from './network';
import { resultCodes, resultCodesFromXdr } from './results';

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Horizon's answer to POST /transactions: the transaction resource (200) once it is in a ledger and successful;
 * transaction_failed (400) with `extras.result_codes` and `extras.result_xdr` when it was refused by validation or
 * failed in its ledger; transaction_malformed (400) when the envelope does not decode; timeout (504) when it never
 * went into a ledger (core answered TRY_AGAIN_LATER, or it was replaced by fee).
 */
export function answerSubmission(result: SubmitResult, base: string): HttpAnswer {
  switch (result.kind) {
    case 'malformed':
      return { status: 400, body: problems.transactionMalformed(result.envelopeXdr) };
    case 'not_included':
      return { status: 504, body: problems.timeout() };
    case 'rejected':
      return {
        status: 400,
        body: problems.transactionFailed({
          envelope_xdr: result.envelopeXdr,
          result_codes: resultCodes(result.outcome),
          result_xdr: result.resultXdr,
        }),
      };
    case 'included': {
      const r = result.record;
      if (r.successful) return { status: 200, body: renderTransaction(base, r) };
      return {
        status: 400,
        body: problems.transactionFailed({
          envelope_xdr: r.envelopeXdr,
          result_codes: resultCodesFromXdr(r.resultXdr),
          result_xdr: r.resultXdr,
          hash: r.hash,
        }),
      };
    }
  }
}

/**
 * Horizon's answer to POST /transactions_async (what core said when the transaction was handed over): 201
 * PENDING, 409 DUPLICATE, 400 ERROR with `error_result_xdr`, 503 TRY_AGAIN_LATER (actions/submit_transaction_async.go
 * in stellar/go); a malformed envelope is transaction_malformed.
 */
export function answerAsyncSubmission(accepted: Acceptance): HttpAnswer {
  switch (accepted.kind) {
    case 'malformed':
      return { status: 400, body: problems.transactionMalformed(accepted.envelopeXdr) };
    case 'rejected':
      return { status: 400, body: { tx_status: 'ERROR', hash: accepted.hash, error_result_xdr: accepted.resultXdr } };
    case 'duplicate':
      return { status: 409, body: { tx_status: 'DUPLICATE', hash: accepted.hash } };
    case 'try_again_later':
      return { status: 503, body: { tx_status: 'TRY_AGAIN_LATER', hash: accepted.hash } };
    case 'pending':
      return { status: 201, body: { tx_status: 'PENDING', hash: accepted.hash } };
  }
}
