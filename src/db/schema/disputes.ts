import { bigint, bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { orders } from './orders';

/**
 * Disputes, one per order at most (a Trustless Work escrow can be disputed once). Opened by the order workflow once
 * the contract is disputed on chain; assigned by support; resolved by the workflow once the resolution is paid out.
 */
export const disputes = pgTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    orderId: text('order_id')
      .notNull()
      .unique()
      .references(() => orders.id),
    /** BUYER or SELLER. */
    openedBy: text('opened_by').notNull(),
    reason: text('reason').notNull(),
    evidence: jsonb('evidence'),
    /** OPEN → RESOLVING → RESOLVED. */
    status: text('status').notNull(),
    assignedTo: text('assigned_to'),
    /** FULL_RELEASE, FULL_REFUND or SPLIT, once decided. */
    decision: text('decision'),
    releaseAmount: bigint('release_amount', { mode: 'bigint' }),
    refundAmount: bigint('refund_amount', { mode: 'bigint' }),
    note: text('note'),
    resolvedBy: text('resolved_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('disputes_status_idx').on(t.status, t.seq)],
);
