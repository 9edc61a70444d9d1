import { and, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import { type Actor, SYSTEM, UNATTRIBUTED } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import { type Db, onClient, type Tx, withTransaction } from '../db/client';
import { topups } from '../db/schema';
import { announceBalances } from '../events/balance-events';
import type { EventType } from '../events/catalog';
import { type EventWriter, insertEvent } from '../events/events-repository';
import { credit } from '../ledger';
import { formatAmount, type Currency } from '../money';
import { renderTopup } from './render';
import { isFinalTopup, type TopupStatus } from './topup-state';

export type TopupRow = typeof topups.$inferSelect;

export interface NewTopup {
  id: string;
  userId: string;
  amount: bigint;
  currency: Currency;
  expiresAt: Date;
}

/** What a status change may also record about the pay-in. */
export interface TopupFacts {
  payinId?: string;
  confirmationUrl?: string;
  payerEmail?: string;
  failureReason?: string;
}

const STATUS_EVENTS: Record<TopupStatus, EventType> = {
  TOPUP_CREATED: 'topup.created',
  TOPUP_AWAITING_USER_CONFIRMATION: 'topup.awaiting_user_confirmation',
  TOPUP_PROCESSING: 'topup.processing',
  TOPUP_SUCCEEDED: 'topup.succeeded',
  TOPUP_FAILED: 'topup.failed',
  TOPUP_CANCELED: 'topup.canceled',
  TOPUP_EXPIRED: 'topup.expired',
};

/** The audit action of each status (`topup.create`, `topup.await_confirmation`, …). */
const STATUS_ACTIONS: Record<TopupStatus, string> = {
  TOPUP_CREATED: 'topup.create',
  TOPUP_AWAITING_USER_CONFIRMATION: 'topup.await_confirmation',
  TOPUP_PROCESSING: 'topup.process',
  TOPUP_SUCCEEDED: 'topup.credit',
  TOPUP_FAILED: 'topup.fail',
  TOPUP_CANCELED: 'topup.cancel',
  TOPUP_EXPIRED: 'topup.expire',
};

/** Records a new top-up (TOPUP_CREATED) with its audit entry and event; a second call with the same id returns the first. */
export async function createTopup(db: Db, t: NewTopup, by: Actor = UNATTRIBUTED): Promise<TopupRow> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(topups)
      .values({ id: t.id, userId: t.userId, amount: t.amount, currency: t.currency, status: 'TOPUP_CREATED', expiresAt: t.expiresAt })
      .onConflictDoNothing()
      .returning();
    if (!inserted) return (await findTopup(tx, t.id))!;
    await recordAudit(tx, {
      dedupeKey: `topup.create:${t.id}`,
      actor: by,
      action: 'topup.create',
      resourceType: 'topup',
      resourceId: t.id,
      statusBefore: null,
      statusAfter: 'TOPUP_CREATED',
      details: { user_id: t.userId, amount: formatAmount(t.amount), currency: t.currency },
    });
    await emitTopupEvent(tx, inserted);
    return inserted;
  });
}

export async function findTopup(db: Db | Tx, id: string): Promise<TopupRow | null> {
  const [row] = await db.select().from(topups).where(eq(topups.id, id));
  return row ?? null;
}

/**
 * Moves a top-up to `status` (not TOPUP_SUCCEEDED: creditTopup does that with its money) with its audit entry and
 * event. A final top-up never changes: the row as it is comes back.
 */
export async function setTopupStatus(
  db: Db,
  id: string,
  status: Exclude<TopupStatus, 'TOPUP_SUCCEEDED'>,
  facts: TopupFacts = {},
  by: Actor = SYSTEM,
): Promise<TopupRow> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(topups).where(eq(topups.id, id)).for('update');
    if (!before) throw new Error(`top-up ${id} does not exist`);
    if (isFinalTopup(before.status) || (before.status === status && !hasNewFacts(before, facts))) return before;
    const [updated] = await updateTopup(tx, id, status, facts);
    await audit(tx, before, updated, by);
    await emitTopupEvent(tx, updated);
    return updated;
  });
}

/**
 * The pay-in is CONFIRMED: the money is in the platform's Airtm balance. Credits the user once (`airtm_clearing` →
 * available, key `topup:<id>:credit`) and marks the top-up TOPUP_SUCCEEDED in the same transaction, with its audit
 * entry and events. Again for a credited top-up moves nothing; a top-up already failed, cancelled or expired is left.
 */
export async function creditTopup(pool: Pool, id: string, facts: TopupFacts = {}): Promise<TopupRow> {
  return withTransaction(pool, async (client) => {
    const db = onClient(client);
    const [before] = await db.select().from(topups).where(eq(topups.id, id)).for('update');
    if (!before) throw new Error(`top-up ${id} does not exist`);
    if (isFinalTopup(before.status)) return before;
    const entry = await credit(client as unknown as Pool, {
      kind: 'top_up',
      key: `topup:${id}:credit`,
      userId: before.userId,
      amount: before.amount,
      currency: before.currency as Currency,
      related: { type: 'topup', id },
      metadata: { airtm_payin_id: before.payinId, payer_email: facts.payerEmail ?? null },
    });
    const [updated] = await updateTopup(db, id, 'TOPUP_SUCCEEDED', facts);
    await audit(db, before, updated, SYSTEM, { ledger_entry_id: entry.id });
    // Events last, after every row lock (events-repository's ordering lock is held until commit).
    await emitTopupEvent(client, updated);
    await announceBalances(client, entry);
    return updated;
  });
}

function hasNewFacts(row: TopupRow, f: TopupFacts): boolean {
  return (
    (f.payinId !== undefined && f.payinId !== row.payinId) ||
    (f.confirmationUrl !== undefined && f.confirmationUrl !== row.confirmationUrl) ||
    (f.payerEmail !== undefined && f.payerEmail !== row.payerEmail)
  );
}

function updateTopup(tx: Db | Tx, id: string, status: TopupStatus, f: TopupFacts) {
  return tx
    .update(topups)
    .set({
      status,
      updatedAt: sql`now()`,
      ...(f.payinId ? { payinId: f.payinId } : {}),
      ...(f.confirmationUrl ? { confirmationUrl: f.confirmationUrl } : {}),
      ...(f.payerEmail ? { payerEmail: f.payerEmail } : {}),
      ...(f.failureReason ? { failureReason: f.failureReason } : {}),
      ...(isFinalTopup(status) ? { completedAt: sql`coalesce(${topups.completedAt}, now())` } : {}),
    })
    .where(eq(topups.id, id))
    .returning();
}

async function audit(tx: Db | Tx, before: TopupRow, after: TopupRow, by: Actor, extra: Record<string, unknown> = {}): Promise<void> {
  if (before.status === after.status) return;
  const action = STATUS_ACTIONS[after.status];
  await recordAudit(tx, {
    dedupeKey: `${action}:${after.id}`,
    actor: by,
    action,
    resourceType: 'topup',
    resourceId: after.id,
    statusBefore: before.status,
    statusAfter: after.status,
    details: { airtm_payin_id: after.payinId, failure_reason: after.failureReason, payer_email: after.payerEmail, ...extra },
  });
}

/** Every status a top-up reaches is an event (`topup.created`, …, `topup.succeeded`), once. */
async function emitTopupEvent(tx: EventWriter, t: TopupRow): Promise<void> {
  const type = STATUS_EVENTS[t.status];
  await insertEvent(tx, { dedupeKey: `${type}:${t.id}`, type, resourceId: t.id, userIds: [t.userId], data: { ...renderTopup(t) } });
}

export interface TopupFilter {
  userId?: string;
  status?: TopupStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listTopups(db: Db, f: TopupFilter, page: { limit: number; beforeSeq?: number }): Promise<TopupRow[]> {
  const where: SQL[] = [];
  if (page.beforeSeq !== undefined) where.push(lt(topups.seq, page.beforeSeq));
  if (f.userId) where.push(eq(topups.userId, f.userId));
  if (f.status) where.push(eq(topups.status, f.status));
  if (f.createdAfter) where.push(gte(topups.createdAt, f.createdAfter));
  if (f.createdBefore) where.push(lte(topups.createdAt, f.createdBefore));
  return db
    .select()
    .from(topups)
    .where(and(...where))
    .orderBy(desc(topups.seq))
    .limit(page.limit + 1);
}

/** The treasury's payment for a credited top-up landed: its hash, once. */
export async function markTopupDelivered(db: Db, id: string, txHash: string): Promise<TopupRow> {
  const [row] = await db
    .update(topups)
    .set({ deliveryTxHash: sql`coalesce(${topups.deliveryTxHash}, ${txHash})`, deliveredAt: sql`coalesce(${topups.deliveredAt}, now())` })
    .where(eq(topups.id, id))
    .returning();
  return row;
}

/** A treasury payment failed on chain (e.g. the float ran short): the next attempt signs a new one. */
export async function countDeliveryFailure(db: Db, id: string, attempt: number): Promise<void> {
  await db
    .update(topups)
    .set({ deliveryAttempts: sql`greatest(${topups.deliveryAttempts}, ${attempt + 1})` })
    .where(eq(topups.id, id));
}

/** What the treasury has paid into users' wallets for top-ups, in total. */
export async function deliveredTopupsTotal(db: Db): Promise<bigint> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${topups.amount}), 0)::text` })
    .from(topups)
    .where(sql`${topups.deliveredAt} IS NOT NULL`);
  return BigInt(row.total);
}

/** Credited top-ups whose USDC the treasury has not paid yet: their count and total (what the float must cover). */
export async function undeliveredTopups(db: Db): Promise<{ count: number; total: bigint }> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${topups.amount}), 0)::text`, count: sql<number>`count(*)::int` })
    .from(topups)
    .where(and(eq(topups.status, 'TOPUP_SUCCEEDED'), sql`${topups.deliveredAt} IS NULL`));
  return { count: row.count, total: BigInt(row.total) };
}
