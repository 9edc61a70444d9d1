/**
 * Plain decimal strings of any precision, compared exactly (never as floats): the proof's amount and the order's
 * fiat amount may have different numbers of decimals ("50" against "50.00").
 */

const DECIMAL = /^(\d{1,30})(?:\.(\d{1,30}))?$/;

export interface Decimal {
  units: bigint;
  scale: number;
}

export function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  return { units: BigInt(m[1]! + fraction), scale: fraction.length };
}

/** a − b: negative, zero or positive. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "050.50" → "50.5", "7.000" → "7". */
export function formatDecimal(d: Decimal): string {
  const digits = d.units.toString().padStart(d.scale + 1, '0');
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = digits.slice(digits.length - d.scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
