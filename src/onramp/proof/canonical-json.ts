/**
 * Canonical JSON text of a parsed JSON value, as Reclaim computes it: the SDK's `canonicalStringify`
 * (reclaimprotocol/reclaim-js-sdk src/utils/strings.ts, 5.4.1) calls the npm package `canonicalize` (^2.0.0; 2.1.0
 * in the SDK's lock), whose whole algorithm (erdtman/canonicalize tag v2.1.0, lib/canonicalize.js lines 5–40) is:
 * object keys sorted by UTF-16 code units (`Object.keys().sort()`), no whitespace, every primitive written by
 * `JSON.stringify`, NaN and ±Infinity refused. (RFC 8785, for the values JSON.parse can produce.)
 *
 * For values from JSON.parse (plain objects, arrays, strings, numbers, booleans, null) and plain objects built in
 * code, whose `undefined` members are left out (in arrays: null), as `canonicalize` does (lines 25, 32–35).
 */

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

/** Deeper nesting than this is refused (instead of exhausting the stack on hostile input). */
export const MAX_JSON_DEPTH = 64;

export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_JSON_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_JSON_DEPTH}`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new CanonicalJsonError('NaN and Infinity are not JSON');
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v === undefined ? null : v, depth + 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], depth + 1)}`);
  return `{${members.join(',')}}`;
}
