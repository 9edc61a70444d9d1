import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Pool } from 'pg';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import { orderAuditEntry } from './order-audit';
import type { Db, Tx } from '../db/client';
import { orders } from '../db/schema';
import { insertEvent } from '../events/events-repository';
import { lastError, type LastError } from './last-error';
import type { EscrowStatus, OrderCommand, OrderState } from './order-state';
import { renderEscrow, renderOrder } from './render';
import type { EventType } from '../events/catalog';

export type OrderRow = typeof orders.$inferSelect;

export interface NewOrder {
  id: string;
  buyerId: string;
  sellerId: string;
  amount: bigint;
  currency: string;
  title: string;
  description?: string;
  clientOrderRef?: string;
  metadata?: Record<string, unknown>;
  autoReleaseAfterSeconds?: number;
  platformFeeBps?: number;
}

/** The read model's first row, written as the order is created (ORDER_CREATED); the same id again returns it. */
export async function insertOrder(db: Db, o: NewOrder, at: Date): Promise<OrderRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(orders)
      .values({
        ...o,
        description: o.description ?? null,
        clientOrderRef: o.clientOrderRef ?? null,
        metadata: o.metadata ?? {},
        autoReleaseAfterSeconds: o.autoReleaseAfterSeconds ?? null,
        platformFeeBps: o.platformFeeBps ?? 0,
        status: 'ORDER_CREATED',
        transitions: [{ status: 'ORDER_CREATED', escrow_status: null, at: at.toISOString() }],
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing({ target: orders.id })
      .returning();
    if (!row) return (await findOrder(tx, o.id))!;
    await insertEvent(tx, {
      dedupeKey: `order.created:${row.id}`,
      type: 'order.created',
      resourceId: row.id,
      userIds: [row.buyerId, row.sellerId],
      data: { ...renderOrder(row) },
    });
    return row;
  });
}

export async function deleteOrder(db: Db, id: string): Promise<void> {
  await db.delete(orders).where(eq(orders.id, id));
}

export async function findOrders(db: Db, ids: string[]): Promise<Map<string, OrderRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(orders).where(inArray(orders.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findOrder(db: Db | Tx, id: string): Promise<OrderRow | null> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row ?? null;
}

/** The `escrow.*` event an escrow status change emits (001's webhook names). */
const ESCROW_EVENTS: Record<EscrowStatus, EventType> = {
  CREATED: 'escrow.created',
  FUNDED: 'escrow.funded',
  RELEASED: 'escrow.released',
  DISPUTED: 'escrow.disputed',
  REFUNDED: 'escrow.refunded',
  SPLIT: 'escrow.split',
};

/** The one way `last_error` is written: a value built by lastError (src/orders/last-error.ts), or null. */
const lastErrorValue = (e: LastError | null): SQL => sql`${e === null ? null : JSON.stringify(e)}::jsonb`;

/** A failed attempt of an escrow step, shown on the order while it is retried (or once it gave up). */
export async function recordStepFailure(db: Db, orderId: string, e: LastError): Promise<void> {
  await db.execute(sql`UPDATE orders SET last_error = ${lastErrorValue(e)} WHERE id = ${orderId}`);
}

export interface OrderProjection {
  orderId: string;
  version: number;
  state: OrderState;
  at: string;
  /** Set when this transition changed the escrow's status: an `escrow.*` event is emitted too. */
  previousEscrow?: string | null;
  /** The request this transition belongs to and who asked: an audit entry, with the statuses the row had before and after. */
  audit?: { request: OrderCommand['kind']; by: Actor };
}

/**
 * Projects the workflow's state onto the row. `version` is the workflow's transition counter: an older or repeated
 * projection (a retried activity) changes nothing.
 */
export async function projectOrder(db: Db, p: OrderProjection): Promise<void> {
  const entry = JSON.stringify([{ status: p.state.status, escrow_status: p.state.escrow, at: p.at }]);
  const escrowType = p.previousEscrow !== undefined && p.state.escrow ? ESCROW_EVENTS[p.state.escrow as EscrowStatus] : undefined;
  const settlement = p.state.settlement ? JSON.stringify(p.state.settlement) : null;
  // One transaction: the row and its events change together (a replayed version changes none of them).
  await db.transaction(async (tx) => {
    const before = p.audit
      ? (
          await tx.execute<{ status: string; escrow_status: string | null }>(
            sql`SELECT status, escrow_status FROM orders WHERE id = ${p.orderId} FOR UPDATE`,
          )
        ).rows[0]
      : undefined;
    // The row as it is now comes back from the update itself: the events render it without reading it again.
    const [row] = await tx
      .update(orders)
      .set({
        status: p.state.status,
        // `?? null`: an absent value clears the column, as the state says (drizzle would leave an undefined one as it was).
        escrowStatus: p.state.escrow ?? null,
        contractId: p.state.contractId ?? null,
        disputeId: p.state.disputeId ?? null,
        transitions: sql`${orders.transitions} || ${entry}::jsonb`,
        lastError: lastErrorValue(lastError(p.state.lastError)),
        settlement: sql`coalesce(${settlement}::jsonb, ${orders.settlement})`,
        version: p.version,
        updatedAt: sql`${p.at}::timestamptz`,
      })
      .where(and(eq(orders.id, p.orderId), lt(orders.version, p.version)))
      .returning();
    if (!row) return;
    if (p.audit && before) await recordAudit(tx, orderAuditEntry({ ...p, ...p.audit, before }));
    const userIds = [row.buyerId, row.sellerId];
    await insertEvent(tx, {
      dedupeKey: `order.status_changed:${p.orderId}:${p.version}`,
      type: 'order.status_changed',
      resourceId: p.orderId,
      userIds,
      data: { ...renderOrder(row) },
    });
    if (escrowType === undefined) return;
    await insertEvent(tx, {
      dedupeKey: `${escrowType}:${p.orderId}`,
      type: escrowType,
      resourceId: p.orderId,
      userIds,
      data: { ...renderEscrow(row), previous_status: p.previousEscrow ?? null },
    });
  });
}

export interface OrderFilter {
  status?: string;
  buyerId?: string;
  sellerId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listOrders(db: Db, f: OrderFilter, page: { limit: number; beforeSeq?: number }): Promise<OrderRow[]> {
  const where: SQL[] = [];
  if (page.beforeSeq !== undefined) where.push(lt(orders.seq, page.beforeSeq));
  if (f.status) where.push(eq(orders.status, f.status));
  if (f.buyerId) where.push(eq(orders.buyerId, f.buyerId));
  if (f.sellerId) where.push(eq(orders.sellerId, f.sellerId));
  if (f.createdAfter) where.push(gte(orders.createdAt, f.createdAfter));
  if (f.createdBefore) where.push(lte(orders.createdAt, f.createdBefore));
  return db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.seq))
    .limit(page.limit + 1);
}

/** A funded or disputed escrow as the ledger sees it: its contract and the order's amount (minor units). */
export interface FundedEscrow {
  id: string;
  contract_id: string;
  amount: string;
}

/** Every order (or those of `orderIds`) whose USD escrow holds funds, funded or disputed, oldest first. */
export async function listFundedEscrows(pool: Pool, orderIds?: string[]): Promise<FundedEscrow[]> {
  const { rows } = await pool.query<FundedEscrow>(
    `SELECT id, contract_id, amount::text FROM orders
      WHERE escrow_status IN ('FUNDED', 'DISPUTED') AND currency = 'USD' AND ($1::text[] IS NULL OR id = ANY($1)) ORDER BY seq`,
    [orderIds ?? null],
  );
  return rows;
}
