import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import { onClient, type Db, type Tx } from '../db/client';
import { onrampMerchants, onrampOrders, onrampProofAttempts } from '../db/schema';
import type { EventType } from '../events/catalog';
import { insertEvent, type EventWriter } from '../events/events-repository';
import type { OnrampStatus } from './onramp-state';
import { renderOnrampOrder, type OnrampOrderRow, type ProofAttemptRow } from './render';

export type MerchantRow = typeof onrampMerchants.$inferSelect;

/** Every SQL statement of the on-ramp: merchants, orders (the read model the workflow projects) and proof attempts. */

export async function insertMerchant(
  db: Db,
  m: { id: string; name: string; publicKey: string; secretSealed: string; handles: Record<string, string> },
): Promise<MerchantRow> {
  const [row] = await db.insert(onrampMerchants).values(m).onConflictDoNothing({ target: onrampMerchants.id }).returning();
  return row ?? (await findMerchant(db, m.id))!;
}

export async function findMerchant(db: Db | Tx, id: string): Promise<MerchantRow | undefined> {
  const [row] = await db.select().from(onrampMerchants).where(eq(onrampMerchants.id, id));
  return row;
}

export async function markMerchantActive(db: Db, id: string): Promise<MerchantRow> {
  const [row] = await db.update(onrampMerchants).set({ status: 'ACTIVE' }).where(eq(onrampMerchants.id, id)).returning();
  return row!;
}

export type NewOnrampOrder = Omit<
  typeof onrampOrders.$inferInsert,
  'seq' | 'status' | 'version' | 'createdAt' | 'updatedAt' | 'signalTx' | 'fulfillTx' | 'returnTx' | 'balanceId'
>;

/** The order's first row (SESSION_CREATED) and its `onramp.created` event; the same id again returns the row. */
export async function insertOnrampOrder(db: Db, o: NewOnrampOrder, actor: Actor): Promise<OnrampOrderRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(onrampOrders)
      .values({ ...o, status: 'SESSION_CREATED' })
      .onConflictDoNothing({ target: onrampOrders.id })
      .returning();
    if (!row) return (await findOnrampOrder(tx, o.id))!;
    await recordAudit(tx, {
      dedupeKey: `onramp:${row.id}:create`,
      actor,
      action: 'onramp.create',
      resourceType: 'onramp_order',
      resourceId: row.id,
      statusBefore: null,
      statusAfter: row.status,
      details: { merchant_id: row.merchantId, buyer_id: row.buyerId, amount_usdc: row.amount.toString() },
    });
    await insertEvent(tx, {
      dedupeKey: `onramp.created:${row.id}`,
      type: 'onramp.created',
      resourceId: row.id,
      userIds: [row.buyerId],
      data: renderOnrampOrder(row),
    });
    return row;
  });
}

export async function findOnrampOrder(db: Db | Tx, id: string): Promise<OnrampOrderRow | undefined> {
  const [row] = await db.select().from(onrampOrders).where(eq(onrampOrders.id, id));
  return row;
}

export async function findOnrampOrderByIntent(db: Db, intentHash: string): Promise<OnrampOrderRow | undefined> {
  const [row] = await db.select().from(onrampOrders).where(eq(onrampOrders.intentHash, intentHash));
  return row;
}

/** What a transition writes beside the status. `lastError: null` clears it. */
export interface OnrampChange {
  status: OnrampStatus;
  signalTx?: string;
  balanceId?: string;
  signalledAt?: Date;
  fulfillTx?: string;
  returnTx?: string;
  lastError?: { code: string; message: string } | null;
}

/**
 * Moves the order to `change.status` (once: a transition already made is found by its dedupe key and returns the row as
 * it is), with its audit entry and `onramp.status_changed` event, in the caller's transaction (events last).
 */
export async function transitionOnrampOrder(on: Tx | PoolClient, id: string, change: OnrampChange, actor: Actor): Promise<OnrampOrderRow> {
  const tx = 'query' in on && !('select' in on) ? onClient(on) : (on as Tx);
  const events: EventWriter = on;
  const before = (await tx.select().from(onrampOrders).where(eq(onrampOrders.id, id)).for('update'))[0];
  if (!before) throw new Error(`on-ramp order ${id} does not exist`);
  if (before.status === change.status) return before;
  const [row] = await tx
    .update(onrampOrders)
    .set({
      status: change.status,
      ...(change.signalTx ? { signalTx: change.signalTx } : {}),
      ...(change.balanceId ? { balanceId: change.balanceId } : {}),
      ...(change.signalledAt ? { signalledAt: change.signalledAt } : {}),
      ...(change.fulfillTx ? { fulfillTx: change.fulfillTx } : {}),
      ...(change.returnTx ? { returnTx: change.returnTx } : {}),
      ...(change.lastError !== undefined
        ? { lastErrorCode: change.lastError?.code ?? null, lastErrorMessage: change.lastError?.message ?? null }
        : {}),
      version: sql`${onrampOrders.version} + 1`,
      updatedAt: new Date(),
    })
    .where(eq(onrampOrders.id, id))
    .returning();
  await recordAudit(tx, {
    dedupeKey: `onramp:${id}:v${row!.version}`,
    actor,
    action: `onramp.${change.status.toLowerCase()}`,
    resourceType: 'onramp_order',
    resourceId: id,
    statusBefore: before.status,
    statusAfter: row!.status,
    details: change.lastError ? { last_error: change.lastError.code } : undefined,
  });
  await emit(events, 'onramp.status_changed', row!, `v${row!.version}`);
  return row!;
}

async function emit(tx: EventWriter, type: EventType, row: OnrampOrderRow, key: string): Promise<void> {
  await insertEvent(tx, {
    dedupeKey: `${type}:${row.id}:${key}`,
    type,
    resourceId: row.id,
    userIds: [row.buyerId],
    data: renderOnrampOrder(row),
  });
}

/** Notes why a step is not done yet (a stuck signal or claim) without changing the status. */
export async function noteOnrampError(db: Db, id: string, error: { code: string; message: string } | null): Promise<void> {
  await db
    .update(onrampOrders)
    .set({ lastErrorCode: error?.code ?? null, lastErrorMessage: error?.message ?? null })
    .where(eq(onrampOrders.id, id));
}

/** Records the merchant's reclaim of a FAILED order's balance (the status stays FAILED). */
export async function setOnrampReturn(db: Db, id: string, returnTx: string): Promise<OnrampOrderRow> {
  const [row] = await db.update(onrampOrders).set({ returnTx, updatedAt: new Date() }).where(eq(onrampOrders.id, id)).returning();
  return row!;
}

/** Records a proof attempt (once per id). Throws PostgreSQL's 23505 when an accepted attempt reuses an accepted proof id. */
export async function insertProofAttempt(db: Db | Tx, a: typeof onrampProofAttempts.$inferInsert): Promise<ProofAttemptRow> {
  const [row] = await db.insert(onrampProofAttempts).values(a).onConflictDoNothing({ target: onrampProofAttempts.id }).returning();
  return row ?? (await findProofAttempt(db, a.id))!;
}

export async function findProofAttempt(db: Db | Tx, id: string): Promise<ProofAttemptRow | undefined> {
  const [row] = await db.select().from(onrampProofAttempts).where(eq(onrampProofAttempts.id, id));
  return row;
}

/** True when a proof with this identifier was already accepted (on any order). */
export async function proofAlreadyAccepted(db: Db, proofIdentifier: string): Promise<boolean> {
  const rows = await db
    .select({ id: onrampProofAttempts.id })
    .from(onrampProofAttempts)
    .where(and(eq(onrampProofAttempts.proofIdentifier, proofIdentifier), ne(onrampProofAttempts.status, 'REJECTED')))
    .limit(1);
  return rows.length > 0;
}

export async function settleProofAttempt(
  db: Db | Tx,
  id: string,
  change: { status: 'FULFILLED' | 'FAILED'; txHash?: string; txConfirmedAt?: Date },
): Promise<void> {
  await db.update(onrampProofAttempts).set(change).where(eq(onrampProofAttempts.id, id));
}

export async function listProofAttempts(db: Db, orderId: string): Promise<ProofAttemptRow[]> {
  return db.select().from(onrampProofAttempts).where(eq(onrampProofAttempts.orderId, orderId)).orderBy(asc(onrampProofAttempts.seq));
}
