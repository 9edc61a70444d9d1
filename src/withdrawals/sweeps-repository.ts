import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { withdrawals } from '../db/schema';
import type { WithdrawalRow } from './withdrawals-repository';

// The treasury sweep of completed Airtm payouts (src/withdrawals/payout-sweep.ts): the wallet's payment back to the
// treasury, recorded on the withdrawal's row.

/** The sweep landed: its hash is kept (the first one wins) and the last error cleared. */
export async function markPayoutSwept(db: Db, id: string, txHash: string): Promise<WithdrawalRow> {
  const [row] = await db
    .update(withdrawals)
    .set({ treasuryTxHash: sql`coalesce(${withdrawals.treasuryTxHash}, ${txHash})`, lastError: null })
    .where(eq(withdrawals.id, id))
    .returning();
  return row;
}

/** Why the sweep has not landed yet (shown as the payout's `last_error`; the activity retries). */
export async function recordSweepError(db: Db, id: string, message: string): Promise<void> {
  await db.update(withdrawals).set({ lastError: message }).where(eq(withdrawals.id, id));
}

/** The sweep's payment failed on chain: the next attempt signs a new one under the next key. */
export async function countSweepFailure(db: Db, id: string, attempt: number, message: string): Promise<void> {
  await db
    .update(withdrawals)
    .set({ treasuryAttempts: sql`greatest(${withdrawals.treasuryAttempts}, ${attempt + 1})`, lastError: message })
    .where(eq(withdrawals.id, id));
}

/** Completed Airtm payouts whose USDC is still in the user's wallet: their count and total (what wallets owe the treasury). */
export async function unsweptPayouts(db: Db): Promise<{ count: number; total: bigint }> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${withdrawals.amount}), 0)::text`, count: sql<number>`count(*)::int` })
    .from(withdrawals)
    .where(
      and(
        eq(withdrawals.destinationType, 'airtm'),
        eq(withdrawals.status, 'WITHDRAWAL_COMPLETED'),
        sql`${withdrawals.treasuryTxHash} IS NULL`,
      ),
    );
  return { count: row.count, total: BigInt(row.total) };
}

/** What users' wallets have returned to the treasury for completed Airtm payouts, in total. */
export async function sweptPayoutsTotal(db: Db): Promise<bigint> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${withdrawals.amount}), 0)::text` })
    .from(withdrawals)
    .where(and(eq(withdrawals.destinationType, 'airtm'), sql`${withdrawals.treasuryTxHash} IS NOT NULL`));
  return BigInt(row.total);
}
