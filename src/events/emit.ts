import type { Pool, PoolClient } from 'pg';

export interface DomainEvent {
  /** Unique per state change, e.g. `deposit.credited:<op id>`: emitting it again does nothing. */
  dedupeKey: string;
  type: string;
  resourceType: string;
  resourceId: string;
  userIds: string[];
  data: Record<string, unknown>;
}

/** Records an event in the outbox, on the caller's connection (so inside its transaction when it has one). */
export async function emitEvent(q: Pool | PoolClient, e: DomainEvent): Promise<void> {
  await q.query(
    `INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [e.dedupeKey, e.type, e.resourceType, e.resourceId, e.userIds, JSON.stringify(e.data)],
  );
}
