/**
 * What the sandbox Airtm reads and writes on its wire, independently of the adapter in src/providers/airtm (a fake
 * must not share the code it tests). Amounts are JSON numbers in USD (`type: number, format: double`,
 * #/components/schemas/CreatePayinRequest/properties/amount) with at most two decimals (#/tags[name=Bulk
 * Payouts]/description, "Maximum 2 decimal places allowed"); the sandbox keeps them as bigint cents.
 */

/**
 * Airtm's error answer: `{code, message, data?}` (#/paths/~1payins/post/responses/default, the same on every
 * operation), `code` one of the reason codes of #/info/description ("# Reason Codes"). The spec gives no HTTP status
 * per code; the sandbox's choice is the one a REST API would use (400, 401, 404, 409, 422).
 */
export class AirtmError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** 415901 "Invalid request format - Check JSON syntax and request body". */
export const invalid = (message: string, data?: Record<string, unknown>) => new AirtmError(400, '415901', message, data);

/** A JSON number of USD with at most two decimals, as cents; null when it is not one. */
export function centsOf(value: unknown): bigint | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value));
  if (!m) return null;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** Cents as the JSON number Airtm writes (e.g. 950n → 9.5). */
export function usd(cents: bigint): number {
  const whole = cents / 100n;
  const frac = (cents % 100n).toString().padStart(2, '0');
  return Number(`${whole}.${frac}`);
}

/** Cents as text for people ("10.00"). */
export function usdText(cents: bigint): string {
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

export type Body = Record<string, unknown>;

/** Only the listed fields: the request schemas say `additionalProperties: false`. */
export function onlyFields(body: Body, allowed: readonly string[], what: string): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw invalid(`${what} does not take ${extra.join(', ')}`, { fields: extra });
}

export function requiredString(body: Body, field: string, opts: { max?: number } = {}): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`${field} is required and must be a non-empty string`, { field });
  if (opts.max !== undefined && v.length > opts.max) throw invalid(`${field} must be at most ${opts.max} characters`, { field });
  return v;
}

export function optionalString(body: Body, field: string): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${field} must be a string`, { field });
  return v;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`${field} must be a boolean`, { field });
  return v;
}

/** #/components/schemas/Email: `^(.+)@(.+)$`. */
export function email(body: Body, field: string): string {
  const v = requiredString(body, field).trim();
  if (!/^(.+)@(.+)$/.test(v)) throw invalid(`${field} must be an email address`, { field });
  return v.toLowerCase();
}

/** An absolute URL (`format: url`). */
export function url(body: Body, field: string): string {
  const v = requiredString(body, field);
  try {
    new URL(v);
  } catch {
    throw invalid(`${field} must be an absolute URL`, { field });
  }
  return v;
}
