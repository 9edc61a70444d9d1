import type { Pool, PoolClient } from 'pg';

// The deposit scanner's table, `chain_cursors`: how far each Horizon payments stream has been read.

/** The persisted cursor named `name`, or null when the scanner has not committed one yet. */
export async function findCursor(q: Pool | PoolClient, name: string): Promise<string | null> {
  const { rows } = await q.query<{ cursor: string }>('SELECT cursor FROM chain_cursors WHERE name = $1', [name]);
  return rows[0]?.cursor ?? null;
}

/** Moves an existing cursor (to start again after a sandbox network was reset); no cursor, no change. */
export async function resetCursor(q: Pool | PoolClient, name: string, cursor: string): Promise<void> {
  await q.query('UPDATE chain_cursors SET cursor = $2, updated_at = now() WHERE name = $1', [name, cursor]);
}

/** Records how far the scanner got, on the caller's client (inside the transaction that credited the page). */
export async function saveCursor(q: Pool | PoolClient, name: string, cursor: string): Promise<void> {
  await q.query(
    `INSERT INTO chain_cursors (name, cursor) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET cursor = $2, updated_at = now()`,
    [name, cursor],
  );
}
