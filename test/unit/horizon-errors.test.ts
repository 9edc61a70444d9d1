import { classifySubmitError } from '../../src/stellar/horizon-errors';

/**
 * Horizon's submission answers (developers.stellar.org Horizon API reference, "Errors": transaction_failed 400 with
 * extras.result_codes, timeout 504, rate_limit_exceeded 429, server_error 500, stale_history 503) reduced to our next
 * step. Fail closed: only what is known to pass is retried; what we do not know is a terminal refusal, codes kept.
 */
const horizon = (status: number, codes?: object) => ({ response: { status, data: codes ? { extras: { result_codes: codes } } : {} } });

test('no answer, a timeout, 5xx, 429 and 408 are transient (the same envelope is resubmitted)', () => {
  expect(classifySubmitError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
    kind: 'transient',
  });
  expect(classifySubmitError(new Error('transaction submission timed out after 30000 ms'))).toMatchObject({ kind: 'transient' });
  for (const status of [500, 502, 503, 504, 429, 408]) expect(classifySubmitError(horizon(status))).toMatchObject({ kind: 'transient' });
  expect(classifySubmitError(horizon(400, { transaction: 'tx_insufficient_balance' }))).toMatchObject({ kind: 'transient' });
});

test('stellar-core’s TRY_AGAIN_LATER (one pending transaction per source account) is transient, never a refusal', () => {
  // POST /transactions_async (stellar/go actions/submit_transaction_async.go): 503 with the core status.
  const asyncAnswer = { response: { status: 503, data: { tx_status: 'TRY_AGAIN_LATER', hash: 'ab'.repeat(32) } } };
  expect(classifySubmitError(asyncAnswer)).toMatchObject({ kind: 'transient' });
  // POST /transactions (txsub/submitter.go takes it as submitted, then times out waiting): 504 timeout.
  const syncAnswer = { response: { status: 504, data: { type: 'https://stellar.org/horizon-errors/timeout', status: 504 } } };
  expect(classifySubmitError(syncAnswer)).toMatchObject({ kind: 'transient' });
});

test('tx_bad_seq and tx_too_late, plain or inside a fee bump, are rebuilt', () => {
  expect(classifySubmitError(horizon(400, { transaction: 'tx_bad_seq' }))).toMatchObject({ kind: 'not_applied_resubmittable' });
  expect(classifySubmitError(horizon(400, { transaction: 'tx_too_late' }))).toMatchObject({ kind: 'not_applied_resubmittable' });
  expect(classifySubmitError(horizon(400, { transaction: 'tx_fee_bump_inner_failed', inner_transaction: 'tx_bad_seq' }))).toMatchObject({
    kind: 'not_applied_resubmittable',
  });
});

test('tx_insufficient_fee, on a fee bump’s outer result or a plain transaction, asks for a higher bid', () => {
  const codes = { transaction: 'tx_insufficient_fee' };
  expect(classifySubmitError(horizon(400, codes))).toEqual({ kind: 'insufficient_fee', codes });
});

test('tx_failed (applied, fee consumed) is terminal with its operation codes', () => {
  const codes = { transaction: 'tx_failed', operations: ['op_no_trust'] };
  expect(classifySubmitError(horizon(400, codes))).toEqual({ kind: 'applied_failed', codes });
});

test('known refusals, unknown result codes and unknown HTTP statuses are terminal refusals with the codes kept', () => {
  expect(classifySubmitError(horizon(400, { transaction: 'tx_bad_auth' }))).toEqual({
    kind: 'rejected',
    codes: { transaction: 'tx_bad_auth' },
  });
  const unknown = { transaction: 'tx_something_new_in_protocol_99', operations: ['op_new'] };
  expect(classifySubmitError(horizon(400, unknown))).toEqual({ kind: 'rejected', codes: unknown });
  expect(classifySubmitError(horizon(400))).toEqual({ kind: 'rejected', codes: { transaction: 'http_400' } });
  expect(classifySubmitError(horizon(404))).toEqual({ kind: 'rejected', codes: { transaction: 'http_404' } });
  expect(classifySubmitError(horizon(413))).toEqual({ kind: 'rejected', codes: { transaction: 'http_413' } });
  expect(classifySubmitError(horizon(302))).toEqual({ kind: 'rejected', codes: { transaction: 'http_302' } });
});
