import { DECIMALS, UNIT } from '../money';

/**
 * An amount a provider sent as a JSON number (human units, e.g. `9.5`) or a decimal string, as stroops (bigint, 7
 * decimals), or null when it is not exactly such an amount. Goes through decimal text only, never float arithmetic:
 * Trustless Work's and Airtm's wires both carry amounts as JSON numbers.
 */
export function fromJsonAmount(value: unknown): bigint | null {
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
