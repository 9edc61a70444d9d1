import { lastError } from '../../src/orders/last-error';

const at = '2024-01-01T00:00:00.000Z';

test('a failed attempt keeps its number and whether it is retried, with a message of ours for its code', () => {
  expect(lastError({ step: 'create_escrow', code: 'PROVIDER_UNAVAILABLE', attempt: 3, retrying: true, at })).toEqual({
    step: 'create_escrow',
    code: 'PROVIDER_UNAVAILABLE',
    message: 'Trustless Work or the Stellar network could not be reached or did not answer in time; the step is being retried.',
    attempt: 3,
    retrying: true,
    at,
  });
});

test("the workflow's refusal (no attempt) is final, in the same shape; none is null", () => {
  expect(lastError({ step: 'release', code: 'PROVIDER_ERROR', at })).toMatchObject({
    step: 'release',
    code: 'PROVIDER_ERROR',
    attempt: null,
    retrying: false,
    at,
  });
  expect(lastError(null)).toBeNull();
  expect(lastError(undefined)).toBeNull();
});

test('exception text given with the facts (as rows stored before carry it) is never shown: read keys see the code and our sentence', () => {
  const stored = { step: 'fund_escrow', code: 'INTERNAL_ERROR', message: 'connect ECONNREFUSED 10.0.0.5:5432 (password=hunter2)', at };
  const shown = lastError(stored);
  expect(shown.message).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|hunter2/);
  expect(shown.message).toBe('The step failed unexpectedly; an operator can read the details in the worker’s logs.');
  expect(lastError({ step: 'deliver', code: 'SOMETHING_NEW', at }).message).toBe('The step failed (SOMETHING_NEW).');
});
