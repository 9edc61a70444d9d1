import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { ClientBase, Pool, PoolClient } from 'pg';
import type { Db, Tx } from '../db/client';
import { type EventType, resourceOf } from './catalog';
import { parseTypePatterns } from './event-filter';
import { renderEvent, type EventView } from './event-view';

/**
 * The only writer of the event log (`events`, src/db/schema/events.ts) and its readers. Every state change that is an
 * event records it through insertEvent, in the transaction that made the change.
 */
export interface DomainEvent {
  /** Unique per state change, e.g. `deposit.credited:<op id>`: emitting it again does nothing. */
  dedupeKey: string;
  type: EventType;
  /** The resource's id; its type is the catalog's (src/events/catalog.ts). */
  resourceId: string;
  userIds: string[];
  data: Record<string, unknown>;
}

/**
 * Where an event is written: a drizzle transaction, or a pg client inside BEGIN … COMMIT (withTransaction). Never a
 * pool or a bare database: the ordering lock below only holds until the end of the transaction it was taken in.
 */
export type EventWriter = PoolClient | Tx;
/** Where events are read from. */
export type EventReader = Pool | PoolClient | Db | Tx;

/** The NOTIFY channel every committed event is announced on, its id as the payload (src/events/event-notifications.ts). */
export const EVENTS_CHANNEL = 'events';

/**
 * The transaction-scoped advisory lock (two-key form, its own key space: the Stellar submitter's locks use the one-key
 * form) that makes commit order equal id order. Without it two transactions could take ids 7 and 8 and commit 8
 * first: a consumer that read 8 and resumes "after 8" would never see 7. Taken right before the id is drawn and held
 * until commit, so every event transaction commits (and becomes visible, which PostgreSQL does before it releases
 * locks) in the order of its ids. The price: event-writing transactions are serialised from their first event to their
 * commit, so callers insert their events last, after the change itself.
 */
const ORDER_LOCK = sql`pg_advisory_xact_lock(17750, 1)`;

const dialect = new PgDialect();

async function run<T extends Record<string, unknown>>(q: EventReader, statement: SQL): Promise<T[]> {
  if ('execute' in q) return (await q.execute<T>(statement)).rows as T[];
  const query = dialect.sqlToQuery(statement);
  return (await q.query<T>(query.sql, query.params)).rows;
}

/**
 * Records an event in the caller's transaction and announces its id on the `events` channel (PostgreSQL delivers the
 * notification at commit, and not at all on rollback). An event already recorded under the same dedupe key is left as
 * it was and not announced again.
 */
export async function insertEvent(tx: EventWriter, e: DomainEvent): Promise<void> {
  // One round trip: the row to insert is selected FROM the lock's CTE, so it cannot exist (and its id, a column
  // default, cannot be drawn) before the lock is held.
  await run(
    tx,
    sql`WITH ordered AS (SELECT ${ORDER_LOCK}), inserted AS (
      INSERT INTO events (dedupe_key, type, resource_type, resource_id, user_ids, data)
      SELECT ${e.dedupeKey}, ${e.type}, ${resourceOf(e.type)}, ${e.resourceId}, ${sql.param(e.userIds)}::text[], ${JSON.stringify(e.data)}::jsonb
      FROM ordered
      ON CONFLICT (dedupe_key) DO NOTHING RETURNING id)
    SELECT pg_notify(${EVENTS_CHANNEL}, id::text) FROM inserted`,
  );
}

/**
 * Takes the ordering lock now (insertEvent takes it anyway): for a caller whose event's data is read in the
 * transaction (a balance), so no event committed after that read can carry an id below it.
 */
export async function takeEventOrder(tx: EventWriter): Promise<void> {
  await run(tx, sql`SELECT ${ORDER_LOCK}`);
}

/** Records an event that describes no other row change (e.g. a refused command) in a transaction of its own. */
export async function recordEvent(db: Db, e: DomainEvent): Promise<void> {
  await db.transaction((tx) => insertEvent(tx, e));
}

export interface EventQuery {
  /** Events with a larger id only (0n: from the oldest kept). */
  afterId: bigint;
  /** Exact types and prefix wildcards (`order.*`); absent: every type. */
  types?: string[];
  resourceType?: string;
  resourceId?: string;
  limit: number;
}

interface StoredEvent extends Record<string, unknown> {
  id: string;
  type: string;
  resource_type: string;
  resource_id: string;
  data: Record<string, unknown>;
  created_at: string | Date;
}

/** Events after `afterId` in id order, which is commit order: reading again after the last one returned misses none. */
export async function listEventsAfter(db: EventReader, q: EventQuery): Promise<EventView[]> {
  const where: SQL[] = [sql`id > ${q.afterId.toString()}::bigint`];
  if (q.types !== undefined) {
    const { exact, prefixes } = parseTypePatterns(q.types);
    where.push(sql`(type = ANY(${sql.param(exact)}::text[]) OR type ^@ ANY(${sql.param(prefixes)}::text[]))`);
  }
  if (q.resourceType !== undefined) where.push(sql`resource_type = ${q.resourceType}`);
  if (q.resourceId !== undefined) where.push(sql`resource_id = ${q.resourceId}`);
  const rows = await run<StoredEvent>(
    db,
    sql`SELECT id::text, type, resource_type, resource_id, data, created_at FROM events
      WHERE ${sql.join(where, sql` AND `)} ORDER BY events.id LIMIT ${q.limit}`,
  );
  return rows.map((r) =>
    renderEvent({
      id: BigInt(r.id),
      type: r.type,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      data: r.data,
      createdAt: new Date(r.created_at),
    }),
  );
}

/** The id of the newest committed event (0n when there is none): where a stream that asked for no history starts. */
export async function latestEventId(db: EventReader): Promise<bigint> {
  const [row] = await run<{ id: string | null }>(db, sql`SELECT max(id)::text AS id FROM events`);
  return BigInt(row?.id ?? '0');
}

/** Deletes events created before `cutoff`, a batch at a time; returns how many. */
export async function pruneEvents(db: EventReader, cutoff: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await run(
      db,
      sql`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ${cutoff.toISOString()}::timestamptz LIMIT ${batch}) RETURNING 1`,
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

/** Subscribes a dedicated connection to the `events` channel (src/events/event-notifications.ts). */
export async function listenForEvents(client: ClientBase): Promise<void> {
  await client.query(`LISTEN ${EVENTS_CHANNEL}`);
}

/**
 * Takes the session-level advisory lock that marks `holder` (an API key's stream) as served, on a connection that
 * lives as long as the process: another process's attempt fails while it is held, and PostgreSQL releases it when the
 * connection ends (the process died). False when someone holds it already.
 */
export async function tryLockStream(client: ClientBase, holder: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [
    `events-stream:${holder}`,
  ]);
  return rows[0].locked;
}

export async function unlockStream(client: ClientBase, holder: string): Promise<void> {
  await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`events-stream:${holder}`]);
}
