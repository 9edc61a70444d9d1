import { AppError } from '../../errors';
import { UNIT, formatAmount } from '../../money';
import { fromJsonAmount } from '../json-amounts';

/**
 * Amounts on Airtm's wire (docs/airtm.md, "Amounts"): JSON numbers in USD, `type: number, format: double`
 * (#/components/schemas/CreatePayinRequest/properties/amount, …/CreatePayoutRequest/properties/amount, minimum 0.01),
 * with at most two decimals ("Maximum 2 decimal places allowed", #/tags[name=Bulk Payouts]/description, "Amount
 * Validation"). Inside we hold bigint stroops (7 decimals); these conversions go through decimal text only.
 */

/** One cent in stroops: the smallest step Airtm amounts take. */
export const CENT = UNIT / 100n;
/** The smallest amount of a pay-in item or payout (`minimum: 0.01`). */
export const AIRTM_MINIMUM = CENT;

/**
 * Stroops as the JSON number Airtm expects. Refused with VALIDATION_ERROR (`details.reason`): an amount below one cent
 * (`below_minimum`), not a whole number of cents (`not_whole_cents`: rounding would move another amount than the
 * ledger's), or beyond what a double holds exactly (`not_exact`).
 */
export function toAirtmAmount(stroops: bigint, field = 'amount'): number {
  const refuse = (reason: string, message: string) =>
    new AppError('VALIDATION_ERROR', message, { field, value: formatAmount(stroops), reason, provider: 'airtm' });
  if (stroops < AIRTM_MINIMUM) throw refuse('below_minimum', `${field} must be at least 0.01 for Airtm`);
  if (stroops % CENT !== 0n) throw refuse('not_whole_cents', `${field} must be a whole number of cents for Airtm (at most 2 decimals)`);
  const n = Number(formatAmount(stroops));
  if (fromJsonAmount(n) !== stroops) throw refuse('not_exact', `${field} cannot be sent to Airtm as an exact JSON number`);
  return n;
}

/** A value Airtm returned (a JSON number in USD), as stroops; null when it is not an exact amount with at most 7 decimals. */
export function fromAirtmAmount(value: unknown): bigint | null {
  return fromJsonAmount(value);
}
