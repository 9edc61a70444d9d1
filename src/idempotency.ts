import crypto from 'node:crypto';
import type { Pool } from 'pg';

/** How long a stored outcome is kept, per kind of resource (contract 001). `forever` is never purged. */
export const IDEMPOTENCY_WINDOWS = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  forever: null,
} as const;
export type IdempotencyWindow = keyof typeof IDEMPOTENCY_WINDOWS;

/** A claim left in progress longer than this belongs to a process that died; a new request may take it over. */
export const ABANDONED_AFTER_MS = 120_000;

export type Claim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: string } | { kind: 'in_progress' } | { kind: 'mismatch' };

export interface ClaimInput {
  principal: string;
  key: string;
  requestHash: string;
  window: IdempotencyWindow;
}

/** A stable hash of what makes two requests "the same": method, path and body (object keys sorted). */
export function requestHash(method: string, path: string, body: unknown): string {
  return crypto
    .createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Takes the key for this request, or says why not: a stored outcome to replay, a run in progress, or another body. */
export async function claim(pool: Pool, input: ClaimInput): Promise<Claim> {
  const ttl = IDEMPOTENCY_WINDOWS[input.window];
  const expires = ttl === null ? null : new Date(Date.now() + ttl);
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (principal, key, request_hash, state, expires_at) VALUES ($1, $2, $3, 'in_progress', $4)
     ON CONFLICT DO NOTHING`,
    [input.principal, input.key, input.requestHash, expires],
  );
  if (inserted.rowCount === 1) return { kind: 'claimed' };

  // Take over an expired record, or one abandoned in progress by a process that died (same body only).
  const taken = await pool.query(
    `UPDATE idempotency_keys SET request_hash = $3, state = 'in_progress', response_status = NULL, response_body = NULL,
       locked_at = now(), expires_at = $4, created_at = now()
     WHERE principal = $1 AND key = $2
       AND ((expires_at IS NOT NULL AND expires_at < now())
         OR (state = 'in_progress' AND request_hash = $3 AND locked_at < now() - make_interval(secs => $5)))`,
    [input.principal, input.key, input.requestHash, expires, ABANDONED_AFTER_MS / 1000],
  );
  if (taken.rowCount === 1) return { kind: 'claimed' };

  const { rows } = await pool.query<{ request_hash: string; state: string; response_status: number; response_body: string }>(
    'SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE principal = $1 AND key = $2',
    [input.principal, input.key],
  );
  const row = rows[0];
  if (!row) return claim(pool, input); // purged between our statements: try again from the start
  if (row.request_hash !== input.requestHash) return { kind: 'mismatch' };
  if (row.state === 'in_progress') return { kind: 'in_progress' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
}

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
