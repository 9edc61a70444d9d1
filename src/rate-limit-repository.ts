import type { Pool } from 'pg';

// The shared rate-limit counters, `rate_limit_counters`: one row per bucket and one-minute window (see rate-limit.ts).

/** What one process adds to one bucket's window. */
export interface CountDelta {
  bucket: string;
  windowStart: number;
  delta: number;
}

/** A window's count after an addition: every process's requests so far. */
export interface WindowCount {
  bucket: string;
  window_start: string;
  count: number;
}

const ADD_SQL = `INSERT INTO rate_limit_counters (bucket, window_start, count)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
  ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + excluded.count
  RETURNING bucket, window_start, count`;

/** Adds every delta to its window's shared count in one statement and returns the new counts. */
export async function addCounts(pool: Pool, deltas: CountDelta[]): Promise<WindowCount[]> {
  const { rows } = await pool.query<WindowCount>({
    name: 'rate_limit_add',
    text: ADD_SQL,
    values: [deltas.map((d) => d.bucket), deltas.map((d) => d.windowStart), deltas.map((d) => d.delta)],
  });
  return rows;
}

/** Drops the windows that started before `windowStart`. */
export async function deleteWindowsBefore(pool: Pool, windowStart: number): Promise<void> {
  await pool.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [windowStart]);
}

/** Adds one to a window's count unless it has reached `limit` (one statement, exact across processes); null when full. */
export async function incrementBelow(pool: Pool, bucket: string, windowStart: number, limit: number): Promise<number | null> {
  const { rows } = await pool.query<{ count: number }>(
    `INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 WHERE rate_limit_counters.count < $3
     RETURNING count`,
    [bucket, windowStart, limit],
  );
  return rows[0]?.count ?? null;
}

/** Takes one back from a window's count (never below zero). */
export async function decrement(pool: Pool, bucket: string, windowStart: number): Promise<void> {
  await pool.query('UPDATE rate_limit_counters SET count = count - 1 WHERE bucket = $1 AND window_start = $2 AND count > 0', [
    bucket,
    windowStart,
  ]);
}
