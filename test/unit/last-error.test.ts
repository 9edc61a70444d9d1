import { lastError } from '../../src/orders/last-error';

const at = '2024-01-01T00:00:00.000Z';

test('a failed attempt keeps its number and whether it is retried', () => {
  expect(lastError({ step: 'create_escrow', code: 'PROVIDER_UNAVAILABLE', message: 'down', attempt: 3, retrying: true, at })).toEqual({
    step: 'create_escrow',
    code: 'PROVIDER_UNAVAILABLE',
    message: 'down',
    attempt: 3,
    retrying: true,
    at,
  });
});

test("the workflow's refusal (no attempt) is final, in the same shape; none is null", () => {
  expect(lastError({ step: 'release', code: 'PROVIDER_ERROR', message: 'refused', at })).toEqual({
    step: 'release',
    code: 'PROVIDER_ERROR',
    message: 'refused',
    attempt: null,
    retrying: false,
    at,
  });
  expect(lastError(null)).toBeNull();
  expect(lastError(undefined)).toBeNull();
});
