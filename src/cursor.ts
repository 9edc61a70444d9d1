/**
 * The opaque cursors of every paginated list: a versioned position in a keyset, base64url-encoded. Callers decide
 * what a position must look like and how to refuse one that is not.
 */
export function encodeCursor(position: string | number): string {
  return Buffer.from(`v1:${position}`).toString('base64url');
}

/** The position inside a cursor this code issued, or null for anything else (checked by re-encoding it). */
export function decodeCursor(cursor: string): string | null {
  if (cursor.length > 200) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('v1:') || raw.length < 4) return null;
  const position = raw.slice(3);
  return encodeCursor(position) === cursor ? position : null;
}

const INT8_MAX = 9223372036854775807n;

/** True for a decimal position that names a row of a PostgreSQL bigint keyset (1 … 2^63-1); PostgreSQL refuses larger. */
export function isPositiveInt8(position: string): boolean {
  return /^[1-9]\d{0,18}$/.test(position) && BigInt(position) <= INT8_MAX;
}
