import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import type { Db, Tx } from '../db/client';
import { disputes } from '../db/schema';
import type { EventType } from '../events/catalog';
import { insertEvent } from '../events/events-repository';
import { findOrder } from '../orders/orders-repository';
import { renderDispute } from './render';

export type DisputeRow = typeof disputes.$inferSelect;

export interface OpenDispute {
  id: string;
  orderId: string;
  openedBy: 'BUYER' | 'SELLER';
  reason: string;
  evidence: unknown;
}

/** Records a dispute opened on chain (once: the same id again changes nothing) and its `dispute.opened` event. */
export async function insertDispute(db: Db, d: OpenDispute): Promise<void> {
  await db.transaction(async (tx) => {
    const opened = await tx.execute(sql`INSERT INTO disputes (id, order_id, opened_by, reason, evidence, status)
      VALUES (${d.id}, ${d.orderId}, ${d.openedBy}, ${d.reason}, ${d.evidence === undefined ? null : JSON.stringify(d.evidence)}::jsonb, 'OPEN')
      ON CONFLICT (id) DO NOTHING RETURNING id`);
    if (opened.rows.length === 0) return;
    await emitDisputeEvent(tx, 'dispute.opened', d.id, `dispute.opened:${d.id}`);
  });
}

/**
 * A dispute.* event carrying the dispute as the API renders it, sent to the order's parties. `dedupeKey` names the
 * change: callers emit only when their statement changed the row.
 */
async function emitDisputeEvent(tx: Tx, type: EventType, id: string, dedupeKey: string): Promise<DisputeRow> {
  const dispute = (await findDispute(tx, id))!;
  const order = await findOrder(tx, dispute.orderId);
  await insertEvent(tx, {
    dedupeKey,
    type,
    resourceId: id,
    userIds: order ? [order.buyerId, order.sellerId] : [],
    data: { ...renderDispute(dispute, order) },
  });
  return dispute;
}

/** The dedupe key of a change that may happen more than once (resolving, reopened, assigned): emitted only when the row changed. */
const changeKey = (type: EventType, id: string) => `${type}:${id}:${randomUUID()}`;

export interface DisputeDecision {
  decision: 'FULL_RELEASE' | 'FULL_REFUND' | 'SPLIT';
  releaseAmount: bigint;
  refundAmount: bigint;
  note: string;
  resolvedBy: string;
}

/** The decision was taken and is being paid out (RESOLVING); set again with the same values it changes nothing. */
export async function markResolving(db: Db, id: string, d: DisputeDecision): Promise<void> {
  await db.transaction(async (tx) => {
    const changed = await tx
      .update(disputes)
      .set({
        status: 'RESOLVING',
        decision: d.decision,
        releaseAmount: d.releaseAmount,
        refundAmount: d.refundAmount,
        note: d.note,
        resolvedBy: d.resolvedBy,
        updatedAt: new Date(),
      })
      .where(and(eq(disputes.id, id), eq(disputes.status, 'OPEN')))
      .returning({ id: disputes.id });
    if (changed.length > 0) await emitDisputeEvent(tx, 'dispute.resolving', id, changeKey('dispute.resolving', id));
  });
}

/** The resolution was paid out: RESOLVED, with its `dispute.resolved` event. */
export async function markResolved(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.execute(
      sql`UPDATE disputes SET status = 'RESOLVED', resolved_at = now(), updated_at = now() WHERE id = ${id} AND status <> 'RESOLVED' RETURNING id`,
    );
    if (rows.length > 0) await emitDisputeEvent(tx, 'dispute.resolved', id, `dispute.resolved:${id}`);
  });
}

/** A resolution that could not be paid out: back to OPEN so support can decide again. */
export async function reopenDispute(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const changed = await tx
      .update(disputes)
      .set({ status: 'OPEN', updatedAt: new Date() })
      .where(and(eq(disputes.id, id), eq(disputes.status, 'RESOLVING')))
      .returning({ id: disputes.id });
    if (changed.length > 0) await emitDisputeEvent(tx, 'dispute.reopened', id, changeKey('dispute.reopened', id));
  });
}

/**
 * Support takes the dispute (or hands it to someone): audited with who assigned it and to whom it was assigned before;
 * `dispute.assigned` when the assignee changed.
 */
export async function assignDispute(db: Db, id: string, assignee: string, by: Actor): Promise<DisputeRow | null> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(disputes).where(eq(disputes.id, id)).for('update');
    if (!before) return null;
    const [row] = await tx.update(disputes).set({ assignedTo: assignee, updatedAt: new Date() }).where(eq(disputes.id, id)).returning();
    await recordAudit(tx, {
      dedupeKey: `dispute.assign:${id}:${randomUUID()}`, // each assignment is its own change; none is retried
      actor: by,
      action: 'dispute.assign',
      resourceType: 'dispute',
      resourceId: id,
      statusBefore: before.status,
      statusAfter: row.status,
      details: { order_id: row.orderId, assignee, previous_assignee: before.assignedTo },
    });
    if (before.assignedTo === assignee) return row;
    return emitDisputeEvent(tx, 'dispute.assigned', id, changeKey('dispute.assigned', id));
  });
}

export async function findDispute(db: Db | Tx, id: string): Promise<DisputeRow | null> {
  const [row] = await db.select().from(disputes).where(eq(disputes.id, id));
  return row ?? null;
}

export async function listDisputes(
  db: Db,
  f: { status?: string; orderId?: string; assignedTo?: string },
  page: { limit: number; beforeSeq?: number },
): Promise<DisputeRow[]> {
  const where: SQL[] = [];
  if (page.beforeSeq !== undefined) where.push(lt(disputes.seq, page.beforeSeq));
  if (f.status) where.push(eq(disputes.status, f.status));
  if (f.orderId) where.push(eq(disputes.orderId, f.orderId));
  if (f.assignedTo) where.push(eq(disputes.assignedTo, f.assignedTo));
  return db
    .select()
    .from(disputes)
    .where(and(...where))
    .orderBy(desc(disputes.seq))
    .limit(page.limit + 1);
}
