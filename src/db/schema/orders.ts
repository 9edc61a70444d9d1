import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * `last_error` on the order read model, as stored and as `GET /orders/{id}` shows it: the last failure of an escrow
 * step, so a step that keeps failing is never stuck silently. Built only by lastError (src/orders/last-error.ts);
 * written only by the orders repository: by the activity running the step on each failed attempt (recordStepFailure),
 * and by the projection of the workflow's state (projectOrder), which keeps a refusal until the next transition clears
 * it. Declared here, with its column, so the schema imports nothing above src/db.
 */
export interface LastError {
  /** create_escrow, fund_escrow, deliver, release, refund, dispute or resolve. */
  step: string;
  /** The API error code: PROVIDER_ERROR, PROVIDER_UNAVAILABLE, INSUFFICIENT_FUNDS, … */
  code: string;
  /** A message of our own for the code, never the exception's text (that stays in the worker's logs). */
  message: string;
  /** The attempt of the step's activity that failed (1 for the first); null when the workflow recorded the failure. */
  attempt: number | null;
  /** True while the step is being retried; false once it was refused (the order went back). */
  retrying: boolean;
  at: string;
}

/**
 * The orders read model: written only by the order workflow's activities (each projection carries the workflow's
 * version, so a retried activity never rolls the row back), read by the GET endpoints and their filters.
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    buyerId: text('buyer_id')
      .notNull()
      .references(() => users.id),
    sellerId: text('seller_id')
      .notNull()
      .references(() => users.id),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    clientOrderRef: text('client_order_ref'),
    metadata: jsonb('metadata').notNull().default({}),
    autoReleaseAfterSeconds: integer('auto_release_after_seconds'),
    status: text('status').notNull(),
    escrowStatus: text('escrow_status'),
    contractId: text('contract_id'),
    disputeId: text('dispute_id'),
    /** The platform's fee on escrow payouts for this order, fixed when the order is created (basis points). */
    platformFeeBps: integer('platform_fee_bps').notNull().default(0),
    /** Once settled: what was paid to whom and the fees ({released, refunded, platform_fee, protocol_fee, tx_hash}). */
    settlement: jsonb('settlement'),
    /** [{status, escrow_status, at}] in order. */
    transitions: jsonb('transitions').notNull().default([]),
    /** The last step that failed and is being retried (or gave up), so nothing is stuck silently (src/orders/last-error.ts). */
    lastError: jsonb('last_error').$type<LastError>(),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('orders_buyer_idx').on(t.buyerId, t.seq),
    index('orders_seller_idx').on(t.sellerId, t.seq),
    index('orders_status_idx').on(t.status, t.seq),
    index('orders_created_at_idx').on(t.createdAt),
  ],
);
