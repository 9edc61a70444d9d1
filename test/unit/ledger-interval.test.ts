import { ledgerIntervalFromEnv } from '../../sandboxes/stellar';

test('SANDBOX_LEDGER_INTERVAL_MS: unset or empty is the default; a positive whole number of ms is taken', () => {
  expect(ledgerIntervalFromEnv({}, 100)).toBe(100);
  expect(ledgerIntervalFromEnv({ SANDBOX_LEDGER_INTERVAL_MS: '' }, 1000)).toBe(1000);
  expect(ledgerIntervalFromEnv({ SANDBOX_LEDGER_INTERVAL_MS: '5000' }, 100)).toBe(5000);
});

test.each(['0', '-5', '5s', '2.5', 'abc', '1e3'])('SANDBOX_LEDGER_INTERVAL_MS=%s stops the start (fail closed)', (raw) => {
  expect(() => ledgerIntervalFromEnv({ SANDBOX_LEDGER_INTERVAL_MS: raw }, 100)).toThrow(
    /SANDBOX_LEDGER_INTERVAL_MS must be a positive whole number/,
  );
});
