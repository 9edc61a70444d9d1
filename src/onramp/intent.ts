import { createHash } from 'node:crypto';
import { UNIT } from '../money';

/** What an intent commits to: who sells to whom, how much, until when. */
export interface IntentFields {
  orderId: string;
  merchantId: string;
  merchantAddress: string;
  buyerId: string;
  buyerAddress: string;
  /** USDC in minor units (7 decimals). */
  amountMinor: bigint;
  /** Unix seconds; the buyer's claim predicate ends there and the merchant's begins. */
  expiresAtEpoch: number;
}

/**
 * The intent's hash: `0x` + sha256 (hex) of the version tag and the fields above, one per line, in this order. A payment
 * proof carries it in its context, so a proof made for one intent never fits another (other order, merchant, buyer,
 * amount or expiry).
 */
export function intentHash(f: IntentFields): string {
  const text = [
    'offerhub:onramp:intent:v1',
    f.orderId,
    f.merchantId,
    f.merchantAddress,
    f.buyerId,
    f.buyerAddress,
    f.amountMinor.toString(),
    String(f.expiresAtEpoch),
  ].join('\n');
  return `0x${createHash('sha256').update(text).digest('hex')}`;
}

const RATE = /^(\d{1,12})(?:\.(\d{1,8}))?$/;

/** A conversion rate (fiat per USDC, up to 8 decimals, above zero) as an integer and its scale; null when malformed. */
export function parseRate(text: string): { value: bigint; scale: bigint } | null {
  const m = RATE.exec(text);
  if (!m) return null;
  const decimals = m[2] ?? '';
  const value = BigInt(m[1]! + decimals);
  return value > 0n ? { value, scale: 10n ** BigInt(decimals.length) } : null;
}

/**
 * The fiat the buyer must pay: amountUsdc × conversionRate, rounded up to the cent (so the merchant is never paid less
 * than the USDC is worth at the agreed rate), as a decimal string with two places.
 */
export function fiatAmount(amountMinor: bigint, rate: { value: bigint; scale: bigint }): string {
  const denominator = UNIT * rate.scale;
  const numerator = amountMinor * rate.value * 100n;
  const cents = (numerator + denominator - 1n) / denominator;
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}
