import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool, PoolClient } from 'pg';
import type { Db, Tx } from '../db/client';

/**
 * The only writer of the event outbox (`events`, src/db/schema/events.ts). Every state change that is an event
 * records it through insertEvent, on the connection that made the change.
 */
export interface DomainEvent {
  /** Unique per state change, e.g. `deposit.credited:<op id>`: emitting it again does nothing. */
  dedupeKey: string;
  type: string;
  resourceType: string;
  resourceId: string;
  userIds: string[];
  data: Record<string, unknown>;
}

/** Where an event is written: a pg pool or client, or a drizzle database or transaction. */
export type EventWriter = Pool | PoolClient | Db | Tx;

const dialect = new PgDialect();

/**
 * Records an event in the outbox on the caller's connection, so inside its transaction when it has one (a client
 * after BEGIN, a drizzle transaction). An event already recorded under the same dedupe key is left as it was.
 */
export async function insertEvent(writer: EventWriter, e: DomainEvent): Promise<void> {
  const statement = sql`INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data)
    VALUES (${e.dedupeKey}, ${e.type}, ${e.resourceType}, ${e.resourceId}, ${sql.param(e.userIds)}::text[], ${JSON.stringify(e.data)}::jsonb)
    ON CONFLICT (dedupe_key) DO NOTHING`;
  if ('execute' in writer) {
    await writer.execute(statement);
  } else {
    const q = dialect.sqlToQuery(statement);
    await writer.query(q.sql, q.params);
  }
}
