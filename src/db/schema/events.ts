import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The event log: one row per state change, written in the transaction that made the change (src/events). `id` is in
 * commit order (events-repository's lock), so consumers resume after the last id they saw. `dedupe_key` makes a
 * retried step emit once. Delivery (SSE, signed webhooks) reads from here; rows older than EVENTS_RETENTION_DAYS go.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    type: text('type').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    /** The users the event concerns (for per-user streams). */
    userIds: text('user_ids').array().notNull(),
    data: jsonb('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // created_at: the retention prune (EVENTS_RETENTION_DAYS) deletes by age.
  (t) => [index('events_resource_idx').on(t.resourceType, t.resourceId, t.id), index('events_created_at_idx').on(t.createdAt)],
);
