import type { Pool } from 'pg';
import { withTransaction } from '../db/client';

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
  try {
    return await withTransaction(pool, async (client): Promise<BudgetVerdict> => {
      // A refused take writes nothing, so refusing the key's budget needs no rollback.
      if ((await client.query(TAKE, [day, principal, limits.perKey])).rowCount === 0) {
        return { granted: false, exhausted: 'key', limit: limits.perKey, resetsAt };
      }
      // The key's count was taken: thrown, so the transaction gives it back.
      if ((await client.query(TAKE, [day, EVERYONE, limits.total])).rowCount === 0) {
        throw new PlatformBudgetSpent({ granted: false, exhausted: 'platform', limit: limits.total, resetsAt });
      }
      return { granted: true };
    });
  } catch (err) {
    if (err instanceof PlatformBudgetSpent) return err.verdict;
    throw err;
  }
}

/** Rolls the key's take back when the platform's budget is spent (withTransaction rolls back on a throw). */
class PlatformBudgetSpent extends Error {
  override name = 'PlatformBudgetSpent';
  constructor(readonly verdict: BudgetVerdict) {
    super('the platform’s daily budget of wallet activations is spent');
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
