import { createDatabase, type Database, withTransaction } from '../../src/db/client';
import { formatEventId, parseEventId } from '../../src/events/event-id';
import { type EventNotice, EventNotifications } from '../../src/events/event-notifications';
import {
  type DomainEvent,
  insertEvent,
  latestEventId,
  listEventsAfter,
  pruneEvents,
  recordEvent,
} from '../../src/events/events-repository';
import type { EventType } from '../../src/events/catalog';
import { unique } from '../helpers/app';
import { isolatedDatabaseUrl } from '../helpers/db';

/** The log's order and filters are checked over the whole table, so this suite has a database of its own. */
let url: string;
let db: Database;
beforeAll(async () => {
  url = await isolatedDatabaseUrl('event_log');
  db = createDatabase(url, 25);
});
afterAll(async () => {
  await db?.close();
});

const event = (type: EventType, resourceId: string, data: Record<string, unknown> = {}): DomainEvent => ({
  dedupeKey: unique(type),
  type,
  resourceId,
  userIds: [],
  data,
});

test('evt ids are fixed width, sort like their numbers and parse back', () => {
  expect(formatEventId(7n)).toBe('evt_0000000000000007');
  expect(parseEventId('evt_0000000000000123')).toBe(123n);
  expect(parseEventId('evt_123')).toBeNull();
  expect(parseEventId('evt_00000000000001230')).toBeNull();
  const ids = [9n, 10n, 100n, 2n].map(formatEventId);
  expect([...ids].sort()).toEqual([2n, 9n, 10n, 100n].map(formatEventId));
});

test('events are read back after an id, rendered, filtered by exact type, prefix wildcard and resource', async () => {
  const start = await latestEventId(db.pool);
  const order = unique('ord');
  await recordEvent(db.db, event('order.created', order, { status: 'ORDER_CREATED' }));
  await recordEvent(db.db, event('order.status_changed', order));
  await recordEvent(db.db, event('deposit.credited', unique('dep')));
  await recordEvent(db.db, event('escrow.created', order));

  const all = await listEventsAfter(db.pool, { afterId: start, limit: 100 });
  expect(all.map((e) => e.type)).toEqual(['order.created', 'order.status_changed', 'deposit.credited', 'escrow.created']);
  expect(all[0]).toEqual({
    id: formatEventId(start + 1n),
    type: 'order.created',
    created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    resource: { type: 'order', id: order },
    data: { status: 'ORDER_CREATED' },
  });
  const types = async (q: { types?: string[]; resourceId?: string; limit?: number; afterId?: bigint }) =>
    (await listEventsAfter(db.pool, { afterId: start, limit: 100, ...q })).map((e) => e.type);
  expect(await types({ types: ['order.*'] })).toEqual(['order.created', 'order.status_changed']);
  expect(await types({ types: ['order.*', 'deposit.credited'] })).toEqual(['order.created', 'order.status_changed', 'deposit.credited']);
  expect(await types({ types: ['deposit.credited'] })).toEqual(['deposit.credited']);
  expect(await types({ types: ['user.*'] })).toEqual([]);
  expect(await types({ resourceId: order })).toEqual(['order.created', 'order.status_changed', 'escrow.created']);
  expect(await types({ resourceId: order, types: ['escrow.*'] })).toEqual(['escrow.created']);
  expect(await types({ limit: 2, afterId: start + 1n })).toEqual(['order.status_changed', 'deposit.credited']);
});

test('the same dedupe key twice records one event', async () => {
  const start = await latestEventId(db.pool);
  const e = event('order.created', unique('ord'));
  await recordEvent(db.db, e);
  await recordEvent(db.db, { ...e, data: { other: true } });
  expect(await listEventsAfter(db.pool, { afterId: start, limit: 10 })).toHaveLength(1);
});

test('a rolled back transaction leaves no event', async () => {
  const start = await latestEventId(db.pool);
  await expect(
    withTransaction(db.pool, async (client) => {
      await insertEvent(client, event('order.created', unique('ord')));
      throw new Error('the change failed');
    }),
  ).rejects.toThrow('the change failed');
  expect(await listEventsAfter(db.pool, { afterId: start, limit: 10 })).toEqual([]);
});

/**
 * 20 writers each take an id and hold their transaction open for a random while before committing; a reader keeps
 * reading after the last id it saw. Without the ordering lock a later id commits first, the reader moves past the
 * smaller one and never sees it (this test fails when the lock is removed from insertEvent).
 */
test('a reader resuming after the last id it saw never misses an event that commits later (20 concurrent writers)', async () => {
  const start = await latestEventId(db.pool);
  const writers = 20;
  let done = false;
  const seen: bigint[] = [];
  const reader = (async () => {
    let after = start;
    for (;;) {
      const finished = done;
      for (const e of await listEventsAfter(db.pool, { afterId: after, limit: 100 })) {
        after = parseEventId(e.id)!;
        seen.push(after);
      }
      if (finished) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await Promise.all(
    Array.from({ length: writers }, (_, i) =>
      withTransaction(db.pool, async (client) => {
        await new Promise((r) => setTimeout(r, (i * 7) % 11));
        await insertEvent(client, event('order.created', unique('ord')));
        await client.query('SELECT pg_sleep($1)', [((i * 13) % 17) / 1000]);
      }),
    ),
  );
  done = true;
  await reader;
  const committed = (await listEventsAfter(db.pool, { afterId: start, limit: 100 })).map((e) => parseEventId(e.id)!);
  expect(committed).toHaveLength(writers);
  expect(seen).toEqual(committed);
});

test('each committed event is announced once to every listener, none on rollback; a lost connection reconnects', async () => {
  const notifications = new EventNotifications({ url, retryMs: 20 });
  await notifications.start();
  const a: EventNotice[] = [];
  const b: EventNotice[] = [];
  notifications.subscribe((n) => a.push(n));
  const unsubscribe = notifications.subscribe((n) => b.push(n));
  try {
    await recordEvent(db.db, event('order.created', unique('ord')));
    await withTransaction(db.pool, async (client) => {
      await insertEvent(client, event('order.created', unique('ord')));
      await client.query('ROLLBACK');
      await client.query('BEGIN');
    });
    const id = await latestEventId(db.pool);
    await waitFor(() => a.length >= 1 && b.length >= 1);
    expect(a).toEqual([{ kind: 'event', id }]);
    expect(b).toEqual([{ kind: 'event', id }]);

    unsubscribe();
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN events' AND datname = current_database()`,
    );
    await waitFor(() => a.some((n) => n.kind === 'reconnected'));
    expect(a.slice(1)).toEqual([{ kind: 'lost' }, { kind: 'reconnected' }]);
    await recordEvent(db.db, event('order.created', unique('ord')));
    await waitFor(() => a.length === 4);
    expect(a[3]).toEqual({ kind: 'event', id: id + 2n }); // the rolled back one took id + 1 for nothing
    expect(b).toHaveLength(1);
  } finally {
    await notifications.close();
  }
});

test('pruning deletes events older than the cutoff only', async () => {
  const start = await latestEventId(db.pool);
  await recordEvent(db.db, event('order.created', unique('ord')));
  await recordEvent(db.db, event('order.created', unique('ord')));
  await db.pool.query(`UPDATE events SET created_at = now() - interval '31 days' WHERE id = $1`, [(start + 1n).toString()]);
  expect(await pruneEvents(db.pool, new Date(Date.now() - 30 * 86_400_000))).toBeGreaterThanOrEqual(1);
  expect((await listEventsAfter(db.pool, { afterId: start, limit: 10 })).map((e) => e.id)).toEqual([formatEventId(start + 2n)]);
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}
