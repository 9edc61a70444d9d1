import type { Pool } from 'pg';

/** The platform-wide row of the budget (every key's activations together). */
const EVERYONE = '*';

export type BudgetVerdict = { granted: true } | { granted: false; exhausted: 'key' | 'platform'; limit: number; resetsAt: Date };

const TAKE = `INSERT INTO wallet_activation_budget (day, principal, count) VALUES ($1, $2, 1)
  ON CONFLICT (day, principal) DO UPDATE SET count = wallet_activation_budget.count + 1
  WHERE wallet_activation_budget.count < $3
  RETURNING count`;

/**
 * Takes one wallet activation from today's budget (UTC): `perKey` for the calling API key, `total` for the platform.
 * Both counts move together in one transaction, or neither does; a refusal says which budget ran out and when it resets.
 * Activations are paid in the platform's XLM (sponsored reserves and fees), so they are bounded like spending.
 */
export async function takeActivation(
  pool: Pool,
  principal: string,
  limits: { perKey: number; total: number },
  now = new Date(),
): Promise<BudgetVerdict> {
  const day = now.toISOString().slice(0, 10);
  const resetsAt = new Date(`${day}T00:00:00.000Z`);
  resetsAt.setUTCDate(resetsAt.getUTCDate() + 1);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if ((await client.query(TAKE, [day, principal, limits.perKey])).rowCount === 0) {
      await client.query('ROLLBACK');
      return { granted: false, exhausted: 'key', limit: limits.perKey, resetsAt };
    }
    if ((await client.query(TAKE, [day, EVERYONE, limits.total])).rowCount === 0) {
      await client.query('ROLLBACK');
      return { granted: false, exhausted: 'platform', limit: limits.total, resetsAt };
    }
    await client.query('COMMIT');
    return { granted: true };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Gives back an activation taken today that did not start (the user could not be created, Temporal was away). */
export async function giveBackActivation(pool: Pool, principal: string, now = new Date()): Promise<void> {
  const day = now.toISOString().slice(0, 10);
  await pool.query(`UPDATE wallet_activation_budget SET count = count - 1 WHERE day = $1 AND principal = ANY($2::text[]) AND count > 0`, [
    day,
    [principal, EVERYONE],
  ]);
}
