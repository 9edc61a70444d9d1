import type { Pool } from 'pg';

export const WINDOW_MS = 60_000;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix time (seconds) when the current window ends. */
  resetAt: number;
  /** Seconds until the window ends; what a limited client should wait. */
  retryAfter: number;
  exceeded: boolean;
}

export function windowStart(now: number): number {
  return now - (now % WINDOW_MS);
}

export function rateLimitState(limit: number, count: number, now: number): RateLimitState {
  const end = windowStart(now) + WINDOW_MS;
  return {
    limit,
    remaining: Math.max(0, limit - count),
    resetAt: Math.ceil(end / 1000),
    retryAfter: Math.max(1, Math.ceil((end - now) / 1000)),
    exceeded: count > limit,
  };
}

export const COUNT_SQL = `INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES ($1, $2, 1)
  ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 RETURNING count`;

/**
 * Counts one request against `bucket` in the current one-minute window. The counter lives in PostgreSQL, so every
 * API process shares it.
 */
export async function consume(pool: Pool, bucket: string, limit: number, now = Date.now()): Promise<RateLimitState> {
  const { rows } = await pool.query<{ count: number }>(COUNT_SQL, [bucket, windowStart(now)]);
  return rateLimitState(limit, rows[0].count, now);
}

/** Drops finished windows; called periodically by the API. */
export async function purgeRateLimitWindows(pool: Pool, now = Date.now()): Promise<void> {
  await pool.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [windowStart(now) - WINDOW_MS]);
}
