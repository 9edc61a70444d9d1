import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import type { Db } from '../db/client';
import { airtmLinks } from '../db/schema';

export type AirtmLinkRow = typeof airtmLinks.$inferSelect;

/** Links (or links again) a user's Airtm account, with its audit entry, in one transaction. */
export async function upsertAirtmLink(
  db: Db,
  link: { userId: string; email: string; airtmUserId: string; verified: boolean },
  by: Actor,
  requestKey: string,
): Promise<AirtmLinkRow> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(airtmLinks).where(eq(airtmLinks.userId, link.userId)).for('update');
    const [row] = await tx
      .insert(airtmLinks)
      .values(link)
      .onConflictDoUpdate({
        target: airtmLinks.userId,
        set: { email: link.email, airtmUserId: link.airtmUserId, verified: link.verified, updatedAt: sql`now()` },
      })
      .returning();
    await recordAudit(tx, {
      dedupeKey: `airtm.link:${link.userId}:${requestKey}`,
      actor: by,
      action: 'airtm.link',
      resourceType: 'user',
      resourceId: link.userId,
      statusBefore: before ? 'LINKED' : null,
      statusAfter: 'LINKED',
      details: { email: link.email, airtm_user_id: link.airtmUserId, verified: link.verified, previous_email: before?.email ?? null },
    });
    return row;
  });
}

export async function findAirtmLink(db: Db, userId: string): Promise<AirtmLinkRow | null> {
  const [row] = await db.select().from(airtmLinks).where(eq(airtmLinks.userId, userId));
  return row ?? null;
}
