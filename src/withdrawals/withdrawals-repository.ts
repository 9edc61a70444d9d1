import { and, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import { type Actor, SYSTEM, UNATTRIBUTED } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import { type Db, type Tx, onClient, withTransaction } from '../db/client';
import { withdrawals, type withdrawalStatuses } from '../db/schema';
import { holdForWithdrawal } from '../ledger';
import { formatAmount, type Currency } from '../money';
import type { NormalMemo } from './destination';
import { type EventWriter, insertEvent } from '../events/events-repository';
import { renderWithdrawal } from './render';
import { announceBalances } from '../events/balance-events';
import type { EventType } from '../events/catalog';

export type WithdrawalRow = typeof withdrawals.$inferSelect;
export type WithdrawalStatus = (typeof withdrawalStatuses)[number];

export interface NewWithdrawal {
  id: string;
  userId: string;
  amount: bigint;
  currency: Currency;
  /** A Stellar address, or an Airtm payout's recipient email. */
  address: string;
  memo: NormalMemo | null;
  /** Default `stellar`. */
  destinationType?: 'stellar' | 'airtm';
  /** The status it is recorded in: WITHDRAWAL_COMMITTED (default), or for an Airtm payout AWAITING_COMMIT / PENDING. */
  status?: 'WITHDRAWAL_COMMITTED' | 'WITHDRAWAL_AWAITING_COMMIT' | 'WITHDRAWAL_PENDING';
}

/**
 * Records the withdrawal and moves its amount from available to in flight in one transaction: either both exist or
 * neither does (a record that cannot be stored never leaves money held). The hold is keyed by the withdrawal id and
 * the row is unique on it, so a retry after a crash completes nothing twice; INSUFFICIENT_FUNDS leaves nothing behind.
 */
export async function createWithdrawal(pool: Pool, db: Db, w: NewWithdrawal, by: Actor = UNATTRIBUTED): Promise<WithdrawalRow> {
  const existing = await findWithdrawal(db, w.id);
  if (existing) return existing;
  const type = w.destinationType ?? 'stellar';
  const status = w.status ?? 'WITHDRAWAL_COMMITTED';
  await withTransaction(pool, async (client) => {
    const inserted = await client.query(
      `INSERT INTO withdrawals (id, user_id, amount, currency, destination_type, destination_address, memo, memo_type, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [w.id, w.userId, w.amount.toString(), w.currency, type, w.address, w.memo?.value ?? null, w.memo?.type ?? null, status],
    );
    if (inserted.rowCount === 1) {
      const hold = await holdForWithdrawal(client as unknown as Pool, {
        key: `withdrawal:${w.id}:hold`,
        userId: w.userId,
        amount: w.amount,
        currency: w.currency,
        related: { type: 'withdrawal', id: w.id },
      });
      await recordAudit(client, {
        dedupeKey: `withdrawal.create:${w.id}`,
        actor: by,
        action: 'withdrawal.create',
        resourceType: 'withdrawal',
        resourceId: w.id,
        statusBefore: null,
        statusAfter: status,
        details: {
          user_id: w.userId,
          amount: formatAmount(w.amount),
          currency: w.currency,
          destination_address: w.address,
          ...(type === 'stellar' ? {} : { destination_type: type }),
        },
      });
      await emitWithdrawalEvent(client, (await findWithdrawal(onClient(client), w.id))!);
      await announceBalances(client, hold);
    }
  });
  return (await findWithdrawal(db, w.id))!;
}

export async function findWithdrawal(db: Db, id: string): Promise<WithdrawalRow | null> {
  const [row] = await db.select().from(withdrawals).where(eq(withdrawals.id, id));
  return row ?? null;
}

/** WITHDRAWAL_CREATED is a search-attribute value of the workflow before its commit, never a stored status. */
const STATUS_EVENTS: Record<Exclude<WithdrawalStatus, 'WITHDRAWAL_CREATED'>, EventType> = {
  WITHDRAWAL_COMMITTED: 'withdrawal.committed',
  WITHDRAWAL_PENDING: 'withdrawal.pending',
  WITHDRAWAL_COMPLETED: 'withdrawal.completed',
  WITHDRAWAL_FAILED: 'withdrawal.failed',
  WITHDRAWAL_AWAITING_COMMIT: 'withdrawal.awaiting_commit',
  WITHDRAWAL_AWAITING_RECIPIENT: 'withdrawal.awaiting_recipient',
  WITHDRAWAL_CANCELED: 'withdrawal.canceled',
};

/** Every status a withdrawal reaches is an event (`withdrawal.committed`, `.pending`, `.completed`, `.failed`), once. */
async function emitWithdrawalEvent(tx: EventWriter, w: WithdrawalRow): Promise<void> {
  const type = STATUS_EVENTS[w.status as keyof typeof STATUS_EVENTS];
  await insertEvent(tx, {
    dedupeKey: `${type}:${w.id}`,
    type,
    resourceId: w.id,
    userIds: [w.userId],
    data: { ...renderWithdrawal(w) },
  });
}

/** The audit action of each status a payout reaches. */
const OUTCOME_ACTIONS: Partial<Record<WithdrawalStatus, string>> = {
  WITHDRAWAL_PENDING: 'withdrawal.submit',
  WITHDRAWAL_COMPLETED: 'withdrawal.complete',
  WITHDRAWAL_FAILED: 'withdrawal.fail',
  WITHDRAWAL_AWAITING_RECIPIENT: 'withdrawal.await_recipient',
  WITHDRAWAL_CANCELED: 'withdrawal.cancel',
};

/** What a status change may record beside the status; `by` is who asked (the system unless said). */
export interface WithdrawalChange {
  txHash?: string;
  failureCode?: string;
  resultCodes?: unknown;
  providerPayoutId?: string;
  providerStatus?: string;
  failureReason?: string | null;
  by?: Actor;
  /** The audit action, when the status's own (OUTCOME_ACTIONS) is not the right name (an Airtm commit). */
  action?: string;
}

/** Moves a withdrawal to `status` with its audit entry (the status before is read in the same transaction). */
export async function setWithdrawalStatus(
  db: Db,
  id: string,
  status: WithdrawalStatus,
  extra: WithdrawalChange = {},
): Promise<WithdrawalRow> {
  return db.transaction((tx) => transitionWithdrawal(tx, tx, id, status, extra));
}

/**
 * setWithdrawalStatus on the caller's transaction: `q` runs the typed statements and `w` writes the audit entry and the
 * event (the same transaction, as a drizzle transaction or drizzle over the client plus that client).
 */
export async function transitionWithdrawal(
  q: Db | Tx,
  w: EventWriter,
  id: string,
  status: WithdrawalStatus,
  extra: WithdrawalChange = {},
): Promise<WithdrawalRow> {
  const [before] = await q.select({ status: withdrawals.status }).from(withdrawals).where(eq(withdrawals.id, id)).for('update');
  const [updated] = await updateStatus(q, id, status, extra);
  if (before && before.status !== status) {
    const action = extra.action ?? OUTCOME_ACTIONS[status] ?? `withdrawal.${status.toLowerCase()}`;
    await recordAudit(w, {
      dedupeKey: `${action}:${id}`,
      actor: extra.by ?? SYSTEM,
      action,
      resourceType: 'withdrawal',
      resourceId: id,
      statusBefore: before.status,
      statusAfter: status,
      details: {
        tx_hash: updated.txHash,
        failure_code: updated.failureCode,
        ...(updated.providerStatus ? { provider_status: updated.providerStatus, failure_reason: updated.failureReason } : {}),
      },
    });
  }
  // The event last, after every row lock (events-repository's ordering lock is held until commit).
  await emitWithdrawalEvent(w, updated);
  return updated;
}

const FINAL_STATUSES: readonly WithdrawalStatus[] = ['WITHDRAWAL_COMPLETED', 'WITHDRAWAL_FAILED', 'WITHDRAWAL_CANCELED'];

/** True for a status no withdrawal leaves: its hold is spent or back. */
export const isFinalWithdrawal = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);

function updateStatus(q: Db | Tx, id: string, status: WithdrawalStatus, extra: WithdrawalChange) {
  return q
    .update(withdrawals)
    .set({
      status,
      updatedAt: sql`now()`,
      ...(extra.txHash ? { txHash: extra.txHash } : {}),
      ...(extra.failureCode ? { failureCode: extra.failureCode } : {}),
      ...(extra.resultCodes ? { resultCodes: extra.resultCodes } : {}),
      ...(extra.providerPayoutId ? { providerPayoutId: extra.providerPayoutId } : {}),
      ...(extra.providerStatus ? { providerStatus: extra.providerStatus } : {}),
      ...(extra.failureReason !== undefined ? { failureReason: extra.failureReason } : {}),
      ...(isFinalWithdrawal(status) ? { completedAt: sql`coalesce(${withdrawals.completedAt}, now())` } : {}),
    })
    .where(eq(withdrawals.id, id))
    .returning();
}

export interface WithdrawalFilter {
  userId?: string;
  status?: WithdrawalStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listWithdrawals(db: Db, f: WithdrawalFilter, page: { limit: number; beforeSeq?: number }): Promise<WithdrawalRow[]> {
  const where: SQL[] = [];
  if (page.beforeSeq !== undefined) where.push(lt(withdrawals.seq, page.beforeSeq));
  if (f.userId) where.push(eq(withdrawals.userId, f.userId));
  if (f.status) where.push(eq(withdrawals.status, f.status));
  if (f.createdAfter) where.push(gte(withdrawals.createdAt, f.createdAfter));
  if (f.createdBefore) where.push(lte(withdrawals.createdAt, f.createdBefore));
  return db
    .select()
    .from(withdrawals)
    .where(and(...where))
    .orderBy(desc(withdrawals.seq))
    .limit(page.limit + 1);
}
