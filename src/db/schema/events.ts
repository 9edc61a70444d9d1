import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The event outbox: one row per state change, written by the same code (and where it matters the same transaction)
 * that made the change. `dedupe_key` makes a retried step emit once. Delivery (SSE, signed webhooks) reads from here.
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
  (t) => [index('events_resource_idx').on(t.resourceType, t.resourceId, t.id)],
);
