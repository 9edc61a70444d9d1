import { DECIMALS, UNIT, formatAmount } from '../../money';

/**
 * Amounts on Trustless Work's wire: operate payloads carry JSON numbers in human units (SDK
 * `src/types/types.payload.ts`: `amount`, `platformFee`, `distributions[].amount` are `number`); read-model fields
 * may come back as numbers or decimal strings (docs v2-en/escrow-react-sdk/types, "Amounts"). Inside we hold bigint
 * stroops; these conversions go through decimal text only, and refuse anything that would not be exact.
 */

/** A value Trustless Work returned, as stroops, or null when it is not an exact amount with at most 7 decimals. */
export function fromWireAmount(value: unknown): bigint | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = String(value);
    // Below 1e-6 a number prints in exponent form: read it at 7 decimals, and only when that is exactly the number.
    if (/e/i.test(text)) {
      const fixed = value.toFixed(DECIMALS);
      if (Number(fixed) !== value) return null;
      text = fixed;
    }
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const [, sign, whole, fraction = ''] = m;
  if (fraction.replace(/0+$/, '').length > DECIMALS) return null;
  const v = BigInt(whole!) * UNIT + BigInt(fraction.slice(0, DECIMALS).padEnd(DECIMALS, '0'));
  return sign ? -v : v;
}

/** Stroops as the JSON number Trustless Work expects; throws when no double reads back as exactly that amount. */
export function toWireAmount(stroops: bigint): number {
  const n = Number(formatAmount(stroops));
  if (fromWireAmount(n) !== stroops) throw new RangeError(`${formatAmount(stroops)} cannot be sent as an exact JSON number`);
  return n;
}

/** Basis points as the percent number of `platformFee` (250 → 2.5). */
export function percentOf(bps: bigint): number {
  return toWireAmount(bps * (UNIT / 100n));
}
