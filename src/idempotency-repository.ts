import type { Pool } from 'pg';

// The idempotency store, `idempotency_keys`: one row per principal and Idempotency-Key (the protocol is in idempotency.ts).

export interface ClaimRow {
  principal: string;
  key: string;
  requestHash: string;
  /** When the stored outcome may be purged; null: never. */
  expiresAt: Date | null;
  /** The claiming process's session pid (src/db/process-session.ts); null when it has none. */
  ownerPid: number | null;
}

/** Takes a key nobody holds; false when a row for it exists. */
export async function insertClaim(pool: Pool, c: ClaimRow): Promise<boolean> {
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (principal, key, request_hash, state, expires_at, owner_pid)
     VALUES ($1, $2, $3, 'in_progress', $4, $5)
     ON CONFLICT DO NOTHING`,
    [c.principal, c.key, c.requestHash, c.expiresAt, c.ownerPid],
  );
  return inserted.rowCount === 1;
}

/**
 * Takes over an expired record, or one left in progress with the same request hash by a process that died: its
 * session (owner_pid) is gone from pg_stat_activity, or, when it named none, it was claimed more than
 * `abandonedAfterMs` ago. False when the record is neither.
 */
export async function takeOverClaim(pool: Pool, c: ClaimRow, abandonedAfterMs: number): Promise<boolean> {
  const taken = await pool.query(
    `UPDATE idempotency_keys SET request_hash = $3, state = 'in_progress', response_status = NULL, response_body = NULL,
       locked_at = now(), expires_at = $4, created_at = now(), owner_pid = $6
     WHERE principal = $1 AND key = $2
       AND ((expires_at IS NOT NULL AND expires_at < now())
         OR (state = 'in_progress' AND request_hash = $3
           AND (locked_at < now() - make_interval(secs => $5)
             OR (owner_pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = idempotency_keys.owner_pid)))))`,
    [c.principal, c.key, c.requestHash, c.expiresAt, abandonedAfterMs / 1000, c.ownerPid],
  );
  return taken.rowCount === 1;
}

export interface StoredClaim {
  request_hash: string;
  state: string;
  response_status: number;
  response_body: string;
}

/** The record held under the key, or null when there is none (never taken, or purged). */
export async function findClaim(pool: Pool, principal: string, key: string): Promise<StoredClaim | null> {
  const { rows } = await pool.query<StoredClaim>(
    'SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE principal = $1 AND key = $2',
    [principal, key],
  );
  return rows[0] ?? null;
}

/** Stores the request's outcome, to be replayed to a request with the same key and body. */
export async function complete(pool: Pool, principal: string, key: string, status: number, body: string): Promise<void> {
  await pool.query(
    `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4 WHERE principal = $1 AND key = $2`,
    [principal, key, status, body],
  );
}

/** Gives the key back (the request failed in a way that changed nothing and may be retried). */
export async function release(pool: Pool, principal: string, key: string): Promise<void> {
  await pool.query(`DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND state = 'in_progress'`, [principal, key]);
}

export async function purgeExpired(pool: Pool): Promise<number> {
  const r = await pool.query('DELETE FROM idempotency_keys WHERE expires_at IS NOT NULL AND expires_at < now()');
  return r.rowCount ?? 0;
}
