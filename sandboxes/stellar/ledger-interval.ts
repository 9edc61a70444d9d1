/**
 * `SANDBOX_LEDGER_INTERVAL_MS` as a number of milliseconds, `fallback` when unset. Anything but a positive whole
 * number is refused at start-up (fail closed: a typo must not silently run the sandbox at some other speed).
 */
export function ledgerIntervalFromEnv(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.SANDBOX_LEDGER_INTERVAL_MS;
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new Error(`SANDBOX_LEDGER_INTERVAL_MS must be a positive whole number of milliseconds, not "${raw}"`);
  }
  return ms;
}
