import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { disputes } from '../db/schema';

/** A PostgreSQL array literal of ids (ids are [a-z0-9_] only). */
const pgArray = (ids: string[]) => `{${ids.join(',')}}`;

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
  const data = JSON.stringify({ dispute_id: d.id, order_id: d.orderId, opened_by: d.openedBy, reason: d.reason });
  await db.execute(sql`WITH opened AS (
      INSERT INTO disputes (id, order_id, opened_by, reason, evidence, status)
      VALUES (${d.id}, ${d.orderId}, ${d.openedBy}, ${d.reason}, ${d.evidence === undefined ? null : JSON.stringify(d.evidence)}::jsonb, 'OPEN')
      ON CONFLICT (id) DO NOTHING RETURNING id)
    INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data)
    SELECT ${`dispute.opened:${d.id}`}, 'dispute.opened', 'dispute', id, ${pgArray(d.userIds)}::text[], ${data}::jsonb FROM opened
    ON CONFLICT (dedupe_key) DO NOTHING`);
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
  await db.execute(sql`WITH done AS (
      UPDATE disputes SET status = 'RESOLVED', resolved_at = now(), updated_at = now() WHERE id = ${id} AND status <> 'RESOLVED'
      RETURNING id, order_id, decision, release_amount::text, refund_amount::text)
    INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data)
    SELECT ${`dispute.resolved:${id}`}, 'dispute.resolved', 'dispute', id, ${pgArray(userIds)}::text[],
           jsonb_build_object('dispute_id', id, 'order_id', order_id, 'decision', decision, 'release_amount_minor', release_amount, 'refund_amount_minor', refund_amount)
      FROM done
    ON CONFLICT (dedupe_key) DO NOTHING`);
}

/** A resolution that could not be paid out: back to OPEN so support can decide again. */
export async function reopenDispute(db: Db, id: string): Promise<void> {
  await db
    .update(disputes)
    .set({ status: 'OPEN', updatedAt: new Date() })
    .where(and(eq(disputes.id, id), eq(disputes.status, 'RESOLVING')));
}

export async function assignDispute(db: Db, id: string, assignee: string): Promise<DisputeRow | null> {
  const [row] = await db.update(disputes).set({ assignedTo: assignee, updatedAt: new Date() }).where(eq(disputes.id, id)).returning();
  return row ?? null;
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
