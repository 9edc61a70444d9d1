/**
 * Stellar amounts: int64 stroops (1 unit = 10,000,000 stroops), carried as bigint and rendered the way Horizon
 * renders them: always seven decimals ("100.0000000"). Never floats.
 */
export const STROOPS_PER_UNIT = 10_000_000n;
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/** Horizon's amount form: an optional "-", the integer part, a dot and exactly seven decimals. */
export function formatStroops(stroops: bigint): string {
  const negative = stroops < 0n;
  const abs = negative ? -stroops : stroops;
  const whole = abs / STROOPS_PER_UNIT;
  const frac = (abs % STROOPS_PER_UNIT).toString().padStart(7, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

const DECIMAL = /^(\d{1,19})(?:\.(\d{1,7}))?$/;

/**
 * A non-negative decimal amount with at most seven decimals ("100", "0.5", "12.0000001") as stroops, or null
 * when the text is not such an amount or does not fit in an int64.
 */
export function parseAmount(text: string): bigint | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const value = BigInt(m[1]!) * STROOPS_PER_UNIT + BigInt((m[2] ?? '').padEnd(7, '0'));
  return value > INT64_MAX ? null : value;
}

/** Reads an XDR Int64/Uint64 (js-xdr Hyper) or anything whose toString is an integer as a bigint. */
export function toBigInt(value: { toString(): string } | number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value.toString());
}
