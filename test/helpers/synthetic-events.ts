import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client';
import { EVENTS_CHANNEL, takeEventOrder } from '../../src/events/events-repository';

/**
 * Commits an event of a family outside the catalog (`t3f9a.created`), as the one writer commits every event: under the
 * ordering lock, announced on the events channel at commit (src/events/events-repository.ts insertEvent). For suites
 * and benches whose webhook endpoints must see only their own events (they filter on `<family>.*`): production code
 * writes catalog types only, through insertEvent.
 */
export async function emitSyntheticEvent(
  db: Db,
  e: { dedupeKey: string; type: string; resourceType: string; resourceId: string; data: Record<string, unknown> },
): Promise<void> {
  await db.transaction(async (tx) => {
    await takeEventOrder(tx);
    await tx.execute(sql`WITH inserted AS (
      INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data)
      VALUES (${e.dedupeKey}, ${e.type}, ${e.resourceType}, ${e.resourceId}, '{}'::text[], ${JSON.stringify(e.data)}::jsonb)
      ON CONFLICT (dedupe_key) DO NOTHING RETURNING id)
    SELECT pg_notify(${EVENTS_CHANNEL}, id::text) FROM inserted`);
  });
}
