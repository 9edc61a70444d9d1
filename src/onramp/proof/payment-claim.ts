import { parseDecimal, type Decimal } from './decimal';

/**
 * What a payment proof's context says, in the layout Reclaim payment providers use (zkp2p's Venmo, Cash App,
 * Revolut, Wise… providers, read by zkp2p/zkp2p-v2-contracts VenmoReclaimVerifier `_extractValues`):
 *
 *   context = {"contextAddress": …, "contextMessage": <intent hash>, "extractedParameters": {
 *     "amount", "currency", "date", "paymentId", "receiverId", …}, "providerHash": …}
 *
 * `contextMessage` is what the prover bound the claim to (here the order's intent hash; zkp2p writes it as a decimal
 * uint256, we write the intent hash's own text); `extractedParameters` are the values the witness extracted from
 * the platform's response. zkp2p's Venmo provider has no `currency` (always USD); ours requires it so a proof can
 * never be read in another currency. Every field is a string; anything else is refused.
 */

export interface PaymentClaim {
  intentHash: string;
  amount: Decimal;
  currency: string;
  paidAt: Date;
  paymentId: string;
  receiverId: string;
}

const MAX_FIELD = 256;

/** ISO 8601 date-time; without a zone it is UTC (as zkp2p's DateParsing reads Venmo's dates). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

export function parsePaymentDate(text: string): Date | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Refuse what Date would roll over ("2025-02-30" → March 2nd, "24:00").
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || calendar.getUTCHours() !== hour) return null;
  if (minute > 59 || second > 59) return null;
  const zone = m[8] ?? 'Z';
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return null;
  const at = new Date(`${text.slice(0, 19)}${(m[7] ?? '').slice(0, 4)}${zone}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

function field(record: Record<string, unknown>, name: string): string | { problem: string } {
  const value = record[name];
  if (typeof value !== 'string') return { problem: `context.extractedParameters.${name} must be a string` };
  if (value.length === 0 || value.length > MAX_FIELD)
    return { problem: `context.extractedParameters.${name} must be 1–${MAX_FIELD} characters` };
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the payment out of the parsed context, or says what is missing or malformed. */
export function readPaymentClaim(context: unknown): PaymentClaim | { problem: string } {
  if (!isRecord(context)) return { problem: 'context must be a JSON object' };
  const intentHash = context.contextMessage;
  if (typeof intentHash !== 'string' || intentHash.length === 0 || intentHash.length > MAX_FIELD)
    return { problem: 'context.contextMessage must carry the intent hash' };
  const params = context.extractedParameters;
  if (!isRecord(params)) return { problem: 'context.extractedParameters must be an object' };
  const values: Record<string, string> = {};
  for (const name of ['amount', 'currency', 'date', 'paymentId', 'receiverId']) {
    const v = field(params, name);
    if (typeof v !== 'string') return v;
    values[name] = v;
  }
  const amount = parseDecimal(values.amount!);
  if (!amount) return { problem: 'context.extractedParameters.amount must be a plain decimal such as "50.00"' };
  if (!/^[A-Za-z]{3}$/.test(values.currency!)) return { problem: 'context.extractedParameters.currency must be an ISO 4217 code' };
  const paidAt = parsePaymentDate(values.date!);
  if (!paidAt) return { problem: 'context.extractedParameters.date must be an ISO 8601 date-time' };
  return {
    intentHash,
    amount,
    currency: values.currency!.toUpperCase(),
    paidAt,
    paymentId: values.paymentId!,
    receiverId: values.receiverId!,
  };
}
