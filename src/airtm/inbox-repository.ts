import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { airtmWebhookEvents } from '../db/schema';

/**
 * The inbox of Airtm's webhooks (`airtm_webhook_events`): every verified delivery, raw, once per `svix-id`.
 */
export type AirtmInboxRow = typeof airtmWebhookEvents.$inferSelect;

export interface InboxEntry {
  svixId: string;
  type: string;
  airtmId: string | null;
  code: string | null;
  rawBody: string;
  sentAt: Date;
  data: unknown;
}

/**
 * Stores a delivery unless its `svix-id` is stored already (a redelivery). Answers the stored row and whether it is
 * new: a redelivery whose workflow was signalled is dropped; one whose signal did not go out is signalled again.
 */
export async function storeInboxEntry(db: Db, e: InboxEntry): Promise<{ row: AirtmInboxRow; isNew: boolean }> {
  const [inserted] = await db
    .insert(airtmWebhookEvents)
    .values({ ...e, data: e.data as object })
    .onConflictDoNothing()
    .returning();
  if (inserted) return { row: inserted, isNew: true };
  const [row] = await db.select().from(airtmWebhookEvents).where(eq(airtmWebhookEvents.svixId, e.svixId));
  return { row, isNew: false };
}

/** Records the workflow an event was signalled to (null target: nothing we know, kept for reconciliation). */
export async function markInboxEntry(db: Db, svixId: string, target: string | null): Promise<void> {
  await db
    .update(airtmWebhookEvents)
    .set({ target, signaledAt: target ? sql`now()` : null })
    .where(eq(airtmWebhookEvents.svixId, svixId));
}

export async function findInboxEntry(db: Db, svixId: string): Promise<AirtmInboxRow | null> {
  const [row] = await db.select().from(airtmWebhookEvents).where(eq(airtmWebhookEvents.svixId, svixId));
  return row ?? null;
}

/** Events about nothing we know (no target), newest first: what reconciliation looks at. */
export async function listUnmatchedInbox(db: Db, page: { limit: number; beforeSeq?: number }): Promise<AirtmInboxRow[]> {
  return db
    .select()
    .from(airtmWebhookEvents)
    .where(and(isNull(airtmWebhookEvents.target), page.beforeSeq === undefined ? undefined : lt(airtmWebhookEvents.seq, page.beforeSeq)))
    .orderBy(desc(airtmWebhookEvents.seq))
    .limit(page.limit + 1);
}
