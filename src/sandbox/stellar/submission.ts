import { problems, renderTransaction } from './horizon-json';
import type { SubmitResult } from './network';
import { resultCodes, resultCodesFromXdr } from './results';

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Horizon's answer to POST /transactions: the transaction resource (200) once it is in a ledger and successful;
 * transaction_failed (400) with `extras.result_codes` and `extras.result_xdr` when it was refused by validation or
 * failed in its ledger; transaction_malformed (400) when the envelope does not decode.
 */
export function answerSubmission(result: SubmitResult, base: string): HttpAnswer {
  switch (result.kind) {
    case 'malformed':
      return { status: 400, body: problems.transactionMalformed(result.envelopeXdr) };
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
