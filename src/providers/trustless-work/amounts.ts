import { AppError } from '../../errors';
import { UNIT, formatAmount } from '../../money';
import { fromJsonAmount } from '../json-amounts';

/**
 * Amounts on Trustless Work's wire: operate payloads carry JSON numbers in human units (SDK
 * `src/types/types.payload.ts`: `amount`, `platformFee`, `distributions[].amount` are `number`); read-model fields
 * may come back as numbers or decimal strings (docs v2-en/escrow-react-sdk/types, "Amounts"). Inside we hold bigint
 * stroops; these conversions go through decimal text only, and refuse anything that would not be exact.
 */

/** A value Trustless Work returned, as stroops, or null when it is not an exact amount with at most 7 decimals. */
export const fromWireAmount = fromJsonAmount;

/**
 * Stroops as the JSON number Trustless Work expects. An amount no double reads back as exactly (beyond about 15
 * significant digits) is refused with PROVIDER_ERROR, final: retrying cannot make it exact, and rounding would escrow
 * another amount than the ledger's.
 */
export function toWireAmount(stroops: bigint): number {
  const n = Number(formatAmount(stroops));
  if (fromWireAmount(n) !== stroops)
    throw new AppError('PROVIDER_ERROR', `${formatAmount(stroops)} cannot be sent to Trustless Work as an exact JSON number`, {
      provider: 'trustless_work',
      amount: formatAmount(stroops),
    });
  return n;
}

/** Basis points as the percent number of `platformFee` (250 → 2.5). */
export function percentOf(bps: bigint): number {
  return toWireAmount(bps * (UNIT / 100n));
}
