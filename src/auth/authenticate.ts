import type { Pool } from 'pg';
import { windowStart } from '../rate-limit';
import type { Scope } from './api-keys';
import { lookupPrefix } from './api-keys';
import { constantTimeEqual, sha256Hex } from '../crypto/hashing';

export type Principal = { kind: 'master'; id: 'master' } | { kind: 'api_key'; id: string; scopes: Scope[] };

export interface Authentication {
  principal: Principal;
  /** Requests this principal made in the current window, this one included (null for the master key, which is not limited). */
  windowCount: number | null;
}

/**
 * Finds the key by its prefix and, in the same round trip, counts this request against the key's rate-limit window.
 * The decisive comparison of the hash happens here, in constant time.
 */
const AUTH_SQL = `
WITH k AS (SELECT id, key_hash, scopes FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL),
c AS (
  INSERT INTO rate_limit_counters (bucket, window_start, count)
  SELECT 'key:' || k.id, $2, 1 FROM k WHERE k.key_hash = $3
  ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
  RETURNING count)
SELECT k.id, k.key_hash, k.scopes, (SELECT count FROM c) AS count FROM k`;

export async function authenticate(pool: Pool, token: string, masterKey: string, now = Date.now()): Promise<Authentication | null> {
  if (constantTimeEqual(token, masterKey)) return { principal: { kind: 'master', id: 'master' }, windowCount: null };
  const prefix = lookupPrefix(token);
  if (!prefix) return null;
  const hash = sha256Hex(token);
  const { rows } = await pool.query<{ id: string; key_hash: string; scopes: Scope[]; count: number | null }>(AUTH_SQL, [prefix, windowStart(now), hash]);
  const row = rows[0];
  if (!row || !constantTimeEqual(row.key_hash, hash) || row.count === null) return null;
  return { principal: { kind: 'api_key', id: row.id, scopes: row.scopes }, windowCount: row.count };
}
