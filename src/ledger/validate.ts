import { AppError } from '../errors';
import { MAX_MINOR } from '../money';

/** A movement's amount: bigint minor units, above zero, within 64 bits. */
export function positive(amount: unknown, field = 'amount'): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n || amount > MAX_MINOR) {
    throw new AppError('VALIDATION_ERROR', `${field} must be a positive bigint of minor units`, { field, value: String(amount) });
  }
  return amount;
}

/** A fee: zero or more, and not more than the amount it is taken from. */
export function feeWithin(fee: unknown, of: bigint, field = 'fee'): bigint {
  if (typeof fee !== 'bigint' || fee < 0n || fee > of) {
    throw new AppError('VALIDATION_ERROR', `${field} must be a bigint between 0 and the amount it is taken from`, {
      field,
      value: String(fee),
    });
  }
  return fee;
}

export function userId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new AppError('VALIDATION_ERROR', `${field} is required`, { field });
  return value;
}
