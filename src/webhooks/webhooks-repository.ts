import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { webhookDeliveries, webhookEndpoints } from '../db/schema';

/** Every SQL statement on webhook endpoints and their delivery attempts. */
export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type EndpointStatus = 'active' | 'disabled' | 'deleted';

export interface NewEndpoint {
  id: string;
  owner: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  secretSealed: string;
  /** Events after this id are delivered (the newest at registration: an endpoint gets what happens from then on). */
  cursor: bigint;
}

/**
 * Registers an endpoint. Its id is derived from the request's Idempotency-Key, so a retried registration (the first
 * answer was lost, or starting its workflow failed) finds its row: it becomes active again with the new secret (the
 * only one ever shown) and keeps its cursor unless it had been deleted. Null when the id belongs to another owner.
 */
export async function insertEndpoint(db: Db, e: NewEndpoint): Promise<EndpointRow | null> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ ...e, status: 'active' })
    .onConflictDoUpdate({
      target: webhookEndpoints.id,
      set: {
        url: e.url,
        eventTypes: e.eventTypes,
        description: e.description,
        secretSealed: e.secretSealed,
        previousSecretSealed: null,
        previousSecretExpiresAt: null,
        status: 'active',
        disabledReason: null,
        cursor: sql`CASE WHEN ${webhookEndpoints.status} = 'deleted' THEN ${e.cursor.toString()}::bigint ELSE ${webhookEndpoints.cursor} END`,
        updatedAt: sql`now()`,
      },
      setWhere: eq(webhookEndpoints.owner, e.owner),
    })
    .returning();
  return row ?? null;
}

/** The endpoint, when it exists, is not deleted and (given an owner) belongs to that owner. */
export async function findEndpoint(db: Db, id: string, owner?: string): Promise<EndpointRow | null> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.id, id),
        ne(webhookEndpoints.status, 'deleted'),
        owner === undefined ? undefined : eq(webhookEndpoints.owner, owner),
      ),
    );
  return row ?? null;
}

export async function listEndpoints(db: Db, owner: string, page: { limit: number; beforeSeq?: number }): Promise<EndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.owner, owner),
        ne(webhookEndpoints.status, 'deleted'),
        page.beforeSeq === undefined ? undefined : lt(webhookEndpoints.seq, page.beforeSeq),
      ),
    )
    .orderBy(desc(webhookEndpoints.seq))
    .limit(page.limit + 1);
}

/** Deletes (keeps the row for its delivery history, hidden from every read); false when there was none to delete. */
export async function deleteEndpoint(db: Db, id: string, owner: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ status: 'deleted', updatedAt: sql`now()` })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.owner, owner), ne(webhookEndpoints.status, 'deleted')))
    .returning({ id: webhookEndpoints.id });
  return rows.length === 1;
}

/** The current secret becomes the previous one (signing until `previousExpiresAt`); a secret older than that is dropped. */
export async function rotateEndpointSecret(
  db: Db,
  id: string,
  owner: string,
  secretSealed: string,
  previousExpiresAt: Date,
): Promise<EndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      previousSecretSealed: sql`${webhookEndpoints.secretSealed}`,
      previousSecretExpiresAt: previousExpiresAt,
      secretSealed,
      updatedAt: sql`now()`,
    })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.owner, owner), ne(webhookEndpoints.status, 'deleted')))
    .returning();
  return row ?? null;
}

export type NewDelivery = Omit<typeof webhookDeliveries.$inferInsert, 'seq' | 'createdAt'>;

/** What a recorded attempt does to its endpoint, in the same transaction. */
export type DeliveryEffect = { kind: 'none' } | { kind: 'advance'; eventId: bigint } | { kind: 'disable'; reason: string };

/**
 * Records an attempt and its effect at once: a 2xx moves the cursor to the event (never back), a 410 or an exhausted
 * schedule disables the endpoint. An attempt already recorded under the same id is left as it was (and its effect
 * was applied with it). Returns the stored row.
 */
export async function recordDelivery(db: Db, d: NewDelivery, effect: DeliveryEffect): Promise<DeliveryRow> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx.insert(webhookDeliveries).values(d).onConflictDoNothing({ target: webhookDeliveries.id }).returning();
    if (!inserted) return (await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id)))[0];
    if (effect.kind === 'advance')
      await tx
        .update(webhookEndpoints)
        .set({ cursor: sql`GREATEST(${webhookEndpoints.cursor}, ${effect.eventId.toString()}::bigint)`, updatedAt: sql`now()` })
        .where(eq(webhookEndpoints.id, d.endpointId));
    if (effect.kind === 'disable')
      await tx
        .update(webhookEndpoints)
        .set({ status: 'disabled', disabledReason: effect.reason, updatedAt: sql`now()` })
        .where(and(eq(webhookEndpoints.id, d.endpointId), eq(webhookEndpoints.status, 'active')));
    return inserted;
  });
}

/** The attempt number a manual redelivery of `eventId` takes: one after the last attempt of that event. */
export async function nextAttemptNumber(db: Db, endpointId: string, eventId: bigint): Promise<number> {
  const [row] = await db
    .select({ last: sql<number>`COALESCE(MAX(${webhookDeliveries.attempt}), 0)::int` })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.eventId, eventId)));
  return row.last + 1;
}

export async function findDelivery(db: Db, id: string, endpointId?: string): Promise<DeliveryRow | null> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, id), endpointId === undefined ? undefined : eq(webhookDeliveries.endpointId, endpointId)));
  return row ?? null;
}

/** An endpoint's attempts, newest first. */
export async function listDeliveries(db: Db, endpointId: string, page: { limit: number; beforeSeq?: number }): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        page.beforeSeq === undefined ? undefined : lt(webhookDeliveries.seq, page.beforeSeq),
      ),
    )
    .orderBy(desc(webhookDeliveries.seq))
    .limit(page.limit + 1);
}

/**
 * Ids of the active endpoints registered before `createdBefore`: those whose deliveries should be running already
 * (a younger one is being started by the request that registers it).
 */
export async function activeEndpointIds(db: Db, createdBefore: Date): Promise<string[]> {
  const rows = await db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.status, 'active'), lt(webhookEndpoints.createdAt, createdBefore)));
  return rows.map((r) => r.id);
}

/** Endpoints (after `afterId`, in id order) holding a secret not sealed with `prefix` (`v2.<active key id>.`). */
export async function endpointsNotSealedAs(db: Db, prefix: string, afterId: string, limit: number): Promise<EndpointRow[]> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        sql`${webhookEndpoints.id} > ${afterId}`,
        sql`(${webhookEndpoints.secretSealed} NOT LIKE ${pattern} OR ${webhookEndpoints.previousSecretSealed} NOT LIKE ${pattern})`,
      ),
    )
    .orderBy(webhookEndpoints.id)
    .limit(limit);
}

/** Writes re-sealed secrets only if nobody changed them meanwhile (a rotation); false when someone did. */
export async function replaceSealedSecrets(
  db: Db,
  row: EndpointRow,
  secretSealed: string,
  previousSecretSealed: string | null,
): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ secretSealed, previousSecretSealed })
    .where(
      and(
        eq(webhookEndpoints.id, row.id),
        eq(webhookEndpoints.secretSealed, row.secretSealed),
        sql`${webhookEndpoints.previousSecretSealed} IS NOT DISTINCT FROM ${row.previousSecretSealed}`,
      ),
    )
    .returning({ id: webhookEndpoints.id });
  return rows.length === 1;
}
