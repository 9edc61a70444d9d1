import { sql } from 'drizzle-orm';
import { bigserial, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The audit log: who did what to which resource, with the status before and after, read in the transaction that made
 * the change. Append-only: the database refuses UPDATE, DELETE and TRUNCATE (migration 0009's triggers). `dedupe_key`
 * is the business key of the change (e.g. `order:<id>:v<version>`), so a retried step records it once.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    /** api_key (a REST call), master_key (key management), operator (a signal from the Temporal UI or CLI), system (timers, payouts). */
    actorType: text('actor_type').notNull(),
    /** The API key's id (never its secret), `master`, `temporal:<identity>` of the signal's sender, or the system part that acted. */
    actorId: text('actor_id').notNull(),
    /** The API request's X-Request-ID; null for operators' signals and the system. */
    requestId: text('request_id'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    statusBefore: text('status_before'),
    statusAfter: text('status_after'),
    details: jsonb('details').notNull(),
  },
  (t) => [
    check('audit_log_actor_type_check', sql`${t.actorType} IN ('api_key', 'master_key', 'operator', 'system')`),
    index('audit_log_resource_idx').on(t.resourceType, t.resourceId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
    index('audit_log_actor_idx').on(t.actorId, t.id),
    index('audit_log_occurred_idx').on(t.occurredAt),
  ],
);
