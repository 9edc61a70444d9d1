import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * A user's Airtm account, checked against Airtm's `GET /users/{email}` (#/paths/~1users~1{email}/get) when linked.
 * One per user; linking again replaces it.
 */
export const airtmLinks = pgTable('airtm_links', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  email: text('email').notNull(),
  /** Airtm's id of the account (#/components/schemas/User/properties/id). */
  airtmUserId: text('airtm_user_id').notNull(),
  /** `isVerified` of the account when it was linked (KYC, #/components/schemas/User). */
  verified: boolean('verified').notNull(),
  linkedAt: timestamp('linked_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const topupStatuses = [
  'TOPUP_CREATED',
  'TOPUP_AWAITING_USER_CONFIRMATION',
  'TOPUP_PROCESSING',
  'TOPUP_SUCCEEDED',
  'TOPUP_FAILED',
  'TOPUP_CANCELED',
  'TOPUP_EXPIRED',
] as const;

/** Top-ups through Airtm pay-ins (src/topups). The pay-in's `code` is the top-up's id, so either finds the other. */
export const topups = pgTable(
  'topups',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: topupStatuses }).notNull(),
    /** Airtm's pay-in id (uuid), once created. */
    payinId: text('payin_id').unique(),
    /** The hosted payment page the user opens (`/payin/{id}` at Airtm's host). */
    confirmationUrl: text('confirmation_url'),
    /** Who paid, as Airtm reports it on the pay-in (may differ from the linked account). */
    payerEmail: text('payer_email'),
    /** Why it failed, was cancelled or expired (Airtm's failureReason, reason code, or ours). */
    failureReason: text('failure_reason'),
    /**
     * The treasury's USDC payment into the user's wallet once credited (src/topups/deliver.ts): its hash and time, and
     * how many payments failed before it (each attempt is its own signed transaction).
     */
    deliveryTxHash: text('delivery_tx_hash'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    /** When Airtm expires the pay-in (15 days after creation, FAQ "Expiration Rules"). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('topups_user_idx').on(t.userId, t.seq), index('topups_status_idx').on(t.status)],
);

/**
 * Every Airtm webhook delivery that verified, raw, once per `svix-id` (a redelivery keeps its id). `target` is the
 * workflow it was signalled to; null for an event about nothing we know (kept for reconciliation).
 */
export const airtmWebhookEvents = pgTable(
  'airtm_webhook_events',
  {
    svixId: text('svix_id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    type: text('type').notNull(),
    /** The pay-in's or payout's Airtm id and our `code`, when the body names them. */
    airtmId: text('airtm_id'),
    code: text('code'),
    target: text('target'),
    /** The body exactly as received (the bytes that were signed). */
    rawBody: text('raw_body').notNull(),
    /** `svix-timestamp` of the delivery. */
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** When its workflow was signalled; null until then (a redelivery signals again). */
    signaledAt: timestamp('signaled_at', { withTimezone: true }),
    data: jsonb('data'),
  },
  (t) => [index('airtm_webhook_events_code_idx').on(t.code), index('airtm_webhook_events_unmatched_idx').on(t.target, t.seq)],
);
