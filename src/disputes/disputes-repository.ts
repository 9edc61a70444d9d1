import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import type { Db } from '../db/client';
import { disputes } from '../db/schema';
import { insertEvent } from '../events/events-repository';

export type DisputeRow = typeof disputes.$inferSelect;

export interface OpenDispute {
  id: string;
  orderId: string;
  openedBy: 'BUYER' | 'SELLER';
  reason: string;
  evidence: unknown;
  /** The order's parties, for the event. */
  userIds: string[];
}

/** Records a dispute opened on chain (once: the same id again changes nothing) and its `dispute.opened` event. */
export async function insertDispute(db: Db, d: OpenDispute): Promise<void> {
  await db.transaction(async (tx) => {
    const opened = await tx.execute(sql`INSERT INTO disputes (id, order_id, opened_by, reason, evidence, status)
      VALUES (${d.id}, ${d.orderId}, ${d.openedBy}, ${d.reason}, ${d.evidence === undefined ? null : JSON.stringify(d.evidence)}::jsonb, 'OPEN')
      ON CONFLICT (id) DO NOTHING RETURNING id`);
    if (opened.rows.length === 0) return;
    await insertEvent(tx, {
      dedupeKey: `dispute.opened:${d.id}`,
      type: 'dispute.opened',
      resourceType: 'dispute',
      resourceId: d.id,
      userIds: d.userIds,
      data: { dispute_id: d.id, order_id: d.orderId, opened_by: d.openedBy, reason: d.reason },
    });
  });
}

export interface DisputeDecision {
  decision: 'FULL_RELEASE' | 'FULL_REFUND' | 'SPLIT';
  releaseAmount: bigint;
  refundAmount: bigint;
  note: string;
  resolvedBy: string;
}

/** The decision was taken and is being paid out (RESOLVING); set again with the same values it changes nothing. */
export async function markResolving(db: Db, id: string, d: DisputeDecision): Promise<void> {
  await db
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
    .where(and(eq(disputes.id, id), eq(disputes.status, 'OPEN')));
}

/** The resolution was paid out: RESOLVED, with its `dispute.resolved` event. */
export async function markResolved(db: Db, id: string, userIds: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.execute<{
      order_id: string;
      decision: string | null;
      release_amount: string | null;
      refund_amount: string | null;
    }>(sql`UPDATE disputes SET status = 'RESOLVED', resolved_at = now(), updated_at = now() WHERE id = ${id} AND status <> 'RESOLVED'
      RETURNING order_id, decision, release_amount::text, refund_amount::text`);
    if (rows.length === 0) return;
    const done = rows[0];
    await insertEvent(tx, {
      dedupeKey: `dispute.resolved:${id}`,
      type: 'dispute.resolved',
      resourceType: 'dispute',
      resourceId: id,
      userIds,
      data: {
        dispute_id: id,
        order_id: done.order_id,
        decision: done.decision,
        release_amount_minor: done.release_amount,
        refund_amount_minor: done.refund_amount,
      },
    });
  });
}

/** A resolution that could not be paid out: back to OPEN so support can decide again. */
export async function reopenDispute(db: Db, id: string): Promise<void> {
  await db
    .update(disputes)
    .set({ status: 'OPEN', updatedAt: new Date() })
    .where(and(eq(disputes.id, id), eq(disputes.status, 'RESOLVING')));
}

/** Assigns a dispute to a support agent, with its audit entry (who assigned it, and to whom it was assigned before). */
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
    return row;
  });
}

export async function findDispute(db: Db, id: string): Promise<DisputeRow | null> {
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
