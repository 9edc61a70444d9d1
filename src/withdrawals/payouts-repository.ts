import { eq } from 'drizzle-orm';
import type { Pool } from 'pg';
import { onClient, withTransaction } from '../db/client';
import { withdrawals } from '../db/schema';
import { announceBalances } from '../events/balance-events';
import { finalizeWithdrawal, reverseWithdrawal } from '../ledger';
import type { Currency } from '../money';
import { isFinalWithdrawal, transitionWithdrawal, type WithdrawalChange, type WithdrawalRow } from './withdrawals-repository';

/** How an Airtm payout ends for the ledger: paid (the hold spent to `airtm_clearing`), or failed / cancelled (the hold back). */
export type PayoutOutcome = 'WITHDRAWAL_COMPLETED' | 'WITHDRAWAL_FAILED' | 'WITHDRAWAL_CANCELED';

/**
 * Settles an Airtm withdrawal: its ledger entry (COMPLETED: `withdrawing` → `airtm_clearing`; FAILED or CANCELED:
 * `withdrawing` → `available`, keyed `withdrawal:<id>:finalize` / `:reverse`), the row's update, its audit entry and its
 * events, in one transaction under the row's lock. A withdrawal already settled is answered as it is: a webhook and a
 * poll racing to settle it settle it once.
 */
export async function settleAirtmWithdrawal(
  pool: Pool,
  id: string,
  outcome: PayoutOutcome,
  change: WithdrawalChange,
): Promise<WithdrawalRow> {
  return withTransaction(pool, async (client) => {
    const q = onClient(client);
    const [w] = await q.select().from(withdrawals).where(eq(withdrawals.id, id)).for('update');
    if (!w) throw new Error(`withdrawal ${id} does not exist`);
    if (isFinalWithdrawal(w.status)) return w;
    const ledger = client as unknown as Pool;
    const input = { userId: w.userId, amount: w.amount, currency: w.currency as Currency, related: { type: 'withdrawal', id } };
    const metadata = { airtm_payout_id: change.providerPayoutId ?? w.providerPayoutId, airtm_status: change.providerStatus ?? null };
    const entry =
      outcome === 'WITHDRAWAL_COMPLETED'
        ? await finalizeWithdrawal(ledger, { ...input, key: `withdrawal:${id}:finalize`, rail: 'airtm', metadata })
        : await reverseWithdrawal(ledger, {
            ...input,
            key: `withdrawal:${id}:reverse`,
            metadata: { ...metadata, reason_code: change.failureCode ?? null },
          });
    await announceBalances(client, entry);
    return transitionWithdrawal(q, client, id, outcome, change);
  });
}
