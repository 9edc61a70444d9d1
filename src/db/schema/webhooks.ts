import { bigint, bigserial, boolean, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Outbound webhook endpoints (src/webhooks). Each belongs to the API key that created it (`owner`); its secrets are
 * sealed to the worker's wallet keyring (the API seals, only the worker opens). `cursor` is the id of the last event
 * delivered with a 2xx: it only moves forward, in the transaction that records that delivery.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    owner: text('owner').notNull(),
    url: text('url').notNull(),
    /** Exact types and prefix wildcards (`order.*`), src/events/event-filter.ts. */
    eventTypes: text('event_types').array().notNull(),
    description: text('description'),
    secretSealed: text('secret_sealed').notNull(),
    /** The secret before the last rotation: deliveries are signed with it too until `previous_secret_expires_at`. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    /** active | disabled | deleted. */
    status: text('status').notNull(),
    disabledReason: text('disabled_reason'),
    cursor: bigint('cursor', { mode: 'bigint' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_owner_idx').on(t.owner, t.seq)],
);

/**
 * One row per delivery attempt. Scheduled attempts have ids derived from (endpoint, event, attempt), so a retried
 * activity finds the attempt it already made instead of making it again; manual redeliveries have ids of their own.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: bigint('event_id', { mode: 'bigint' }).notNull(),
    attempt: integer('attempt').notNull(),
    /** True for a redelivery an operator asked for (POST …/deliveries/{id}/retry). */
    manual: boolean('manual').notNull().default(false),
    /** The receiver's HTTP status; null when no answer came (timeout, refused connection, URL policy). */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    /** When the next scheduled attempt of this event is due (null: delivered, manual, or given up). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.seq)],
);
