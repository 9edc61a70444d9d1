import { z } from 'zod';
import { AppError } from './errors';

/**
 * Money as bigint minor units with 7 decimal places (Stellar's precision: 1 unit = 10,000,000 minor units).
 * Amounts travel as decimal strings at the API and as bigint everywhere inside; never as floats.
 *
 * Canonical text form (what `formatAmount` writes): no exponent, no sign for non-negative values, no trailing
 * zeros in the fraction and no trailing dot: "100", "100.5", "0.0000001", "0". Negative values (only system
 * accounts and signed postings have them) get a leading "-".
 */
export const DECIMALS = 7;
export const UNIT = 10n ** BigInt(DECIMALS);
/** The largest amount a balance or posting can hold: PostgreSQL bigint (int64) max, in minor units. */
export const MAX_MINOR = 2n ** 63n - 1n;

/** `USDC` is accepted as a synonym for `USD` (settled as USDC on Stellar) and normalized to `USD`. */
export const CURRENCIES = ['USD', 'XLM'] as const;
export type Currency = (typeof CURRENCIES)[number];
export const CURRENCY_INPUTS = ['USD', 'USDC', 'XLM'] as const;

/** Why an amount string was refused; travels in `details.reason` of the VALIDATION_ERROR. */
export type AmountProblem =
  | 'not_a_string'
  | 'empty'
  | 'whitespace'
  | 'negative'
  | 'leading_plus'
  | 'exponent'
  | 'not_a_number'
  | 'too_many_decimals'
  | 'zero'
  | 'too_large';

const PROBLEM_MESSAGES: Record<AmountProblem, string> = {
  not_a_string: 'amount must be a decimal string such as "100.5"',
  empty: 'amount must not be empty',
  whitespace: 'amount must not contain whitespace',
  negative: 'amount must not be negative',
  leading_plus: 'amount must not start with "+"',
  exponent: 'amount must not use exponent notation',
  not_a_number: 'amount must be digits with an optional fraction, such as "100" or "100.5"',
  too_many_decimals: `amount must have at most ${DECIMALS} decimal places`,
  zero: 'amount must be greater than zero',
  too_large: `amount must not exceed ${formatAmount(MAX_MINOR)}`,
};

/** Digits, optionally a dot and 1–7 more digits. Shared with the zod schema so OpenAPI shows the same pattern. */
export const AMOUNT_PATTERN = /^\d+(\.\d{1,7})?$/;
const DECIMAL_SHAPE = /^(\d+)(?:\.(\d+))?$/;

/** Finds what is wrong with `input` as an amount, or returns its value in minor units. */
function inspectAmount(input: unknown, allowZero: boolean): { problem: AmountProblem } | { value: bigint } {
  if (typeof input !== 'string') return { problem: 'not_a_string' };
  if (input.length === 0) return { problem: 'empty' };
  if (/\s/.test(input)) return { problem: 'whitespace' };
  if (input.startsWith('-')) return { problem: 'negative' };
  if (input.startsWith('+')) return { problem: 'leading_plus' };
  if (/^[\d.]+[eE][+-]?\d+$/.test(input)) return { problem: 'exponent' };
  const m = DECIMAL_SHAPE.exec(input);
  if (!m) return { problem: 'not_a_number' };
  const [, whole, fraction = ''] = m;
  if (fraction.length > DECIMALS) return { problem: 'too_many_decimals' };
  // Leading zeros cannot hide a large value from this check: BigInt ignores them.
  const value = BigInt(whole) * UNIT + BigInt(fraction.padEnd(DECIMALS, '0'));
  if (value > MAX_MINOR) return { problem: 'too_large' };
  if (value === 0n && !allowZero) return { problem: 'zero' };
  return { value };
}

/**
 * Parses a decimal string into minor units. Throws VALIDATION_ERROR with
 * `details: {field, value, reason, message}` naming the problem (see AmountProblem). Zero is refused unless
 * `allowZero` (a fee of "0" means something; a transfer of "0" does not).
 */
export function parseAmount(input: unknown, opts: { allowZero?: boolean; field?: string } = {}): bigint {
  const result = inspectAmount(input, opts.allowZero ?? false);
  if ('value' in result) return result.value;
  const message = PROBLEM_MESSAGES[result.problem];
  throw new AppError('VALIDATION_ERROR', message, {
    field: opts.field ?? 'amount',
    value: typeof input === 'string' ? input : String(input),
    reason: result.problem,
    message,
  });
}

/** A signed amount as `formatAmount` writes it (reports, system balances: "-12.5") to minor units. */
export function parseSignedAmount(input: string): bigint {
  return input.startsWith('-') ? -parseAmount(input.slice(1), { allowZero: true }) : parseAmount(input, { allowZero: true });
}

/** Minor units to the canonical decimal string described at the top of this file. */
export function formatAmount(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = (abs / UNIT).toString();
  const fraction = (abs % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** `USD`, `USDC` (normalized to `USD`) or `XLM`, upper case exactly; anything else is a VALIDATION_ERROR. */
export function parseCurrency(input: unknown, field = 'currency'): Currency {
  if (input === 'USD' || input === 'USDC') return 'USD';
  if (input === 'XLM') return 'XLM';
  throw new AppError('VALIDATION_ERROR', `${field} must be one of ${CURRENCY_INPUTS.join(', ')}`, {
    field,
    value: typeof input === 'string' ? input : String(input),
    reason: 'unsupported_currency',
    allowed: [...CURRENCY_INPUTS],
  });
}

export function isCurrency(value: unknown): value is Currency {
  return (CURRENCIES as readonly unknown[]).includes(value);
}

/**
 * A zod string schema for amounts in API requests: the pattern (shown in OpenAPI) catches shape problems and a
 * refinement catches zero and values beyond int64. It validates but does not convert: handlers call
 * `parseAmount` on the accepted string to get minor units.
 */
export function amountString(opts: { allowZero?: boolean } = {}) {
  const allowZero = opts.allowZero ?? false;
  return z
    .string()
    .regex(AMOUNT_PATTERN, `must be a decimal string with at most ${DECIMALS} decimal places, such as "100.5"`)
    .superRefine((value, ctx) => {
      if (!AMOUNT_PATTERN.test(value)) return; // already reported by the pattern
      const result = inspectAmount(value, allowZero);
      if ('problem' in result)
        ctx.addIssue({ code: 'custom', message: PROBLEM_MESSAGES[result.problem], params: { reason: result.problem } });
    })
    .meta({ description: `Decimal string, up to ${DECIMALS} decimal places${allowZero ? '' : ', greater than zero'}`, example: '100.5' });
}

export const amountSchema = amountString();

/** Accepts `USD`, `USDC` and `XLM`; handlers normalize with `parseCurrency` (`USDC` becomes `USD`). */
export const currencySchema = z
  .enum(CURRENCY_INPUTS)
  .meta({ description: '`USD` (settled as USDC; `USDC` is accepted as a synonym) or `XLM`' });
