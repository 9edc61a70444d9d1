import type { Pool } from 'pg';
import type { Scope } from './api-keys';

/** A key that may authenticate: not revoked. */
export interface ActiveKey {
  id: string;
  key_hash: string;
  scopes: Scope[];
}

/** The unrevoked key with this lookup prefix, or null (a prepared statement: every request without a cached key runs it). */
export async function findActiveKeyByPrefix(pool: Pool, prefix: string): Promise<ActiveKey | null> {
  const { rows } = await pool.query<ActiveKey>({
    name: 'find_api_key',
    text: 'SELECT id, key_hash, scopes FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL',
    values: [prefix],
  });
  return rows[0] ?? null;
}
