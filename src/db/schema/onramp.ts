import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * On-ramp merchants (liquidity providers): each a Stellar account the platform holds, its secret sealed like a
 * wallet's (bound to the merchant id). The merchant's USDC backs the orders it signals; its account's reserves are
 * sponsored by the platform, which also sponsors each order's claimable balance.
 */
export const onrampMerchants = pgTable('onramp_merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  publicKey: text('public_key').notNull().unique(),
  secretSealed: text('secret_sealed').notNull(),
  /** The merchant's handle per payment platform ({"venmo": "@merchant"}): an order's recipient must be one of them. */
  handles: jsonb('handles').$type<Record<string, string>>().notNull().default({}),
  /** PENDING until its account and USDC trustline exist on chain (ACTIVE). */
  status: text('status', { enum: ['PENDING', 'ACTIVE'] })
    .notNull()
    .default('PENDING'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The on-ramp orders read model (document 003's statuses), written by the order workflow's activities. */
export const onrampOrders = pgTable(
  'onramp_orders',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    sessionId: text('session_id').notNull().unique(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => onrampMerchants.id),
    buyerId: text('buyer_id')
      .notNull()
      .references(() => users.id),
    buyerAddress: text('buyer_address').notNull(),
    status: text('status').notNull(),
    intentHash: text('intent_hash').notNull().unique(),
    /** The claimable balance holding the order's USDC (Horizon's hex id), once signalled. */
    balanceId: text('balance_id'),
    signalTx: text('signal_tx'),
    fulfillTx: text('fulfill_tx'),
    /** The merchant's reclaim (expiry) or the return of a support cancel. */
    returnTx: text('return_tx'),
    paymentPlatform: text('payment_platform').notNull(),
    fiatCurrency: text('fiat_currency').notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    conversionRate: text('conversion_rate').notNull(),
    fiatAmount: text('fiat_amount').notNull(),
    recipient: text('recipient').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    signalledAt: timestamp('signalled_at', { withTimezone: true }),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('onramp_orders_buyer_idx').on(t.buyerId, t.seq), index('onramp_orders_status_idx').on(t.status, t.seq)],
);

/**
 * Every proof submitted for an order, with its outcome. A proof identifier is accepted at most once across all
 * orders: the partial unique index admits it on one VERIFIED/FULFILLED/FAILED attempt only; rejected attempts may repeat it.
 */
export const onrampProofAttempts = pgTable(
  'onramp_proof_attempts',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    orderId: text('order_id')
      .notNull()
      .references(() => onrampOrders.id),
    intentHash: text('intent_hash').notNull(),
    proofIdentifier: text('proof_identifier'),
    /** The payment platform's id of the proven payment (platform:id): one payment pays one order, whatever its proofs. */
    paymentId: text('payment_id'),
    status: text('status', { enum: ['REJECTED', 'VERIFIED', 'FULFILLED', 'FAILED'] }).notNull(),
    verificationError: text('verification_error'),
    verificationMessage: text('verification_message'),
    paidAmount: text('paid_amount'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    txHash: text('tx_hash'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    txConfirmedAt: timestamp('tx_confirmed_at', { withTimezone: true }),
  },
  (t) => [
    index('onramp_proof_attempts_order_idx').on(t.orderId, t.seq),
    uniqueIndex('onramp_proof_attempts_accepted_uq')
      .on(t.proofIdentifier)
      .where(sql`status <> 'REJECTED'`),
    uniqueIndex('onramp_proof_attempts_payment_uq')
      .on(t.paymentId)
      .where(sql`status <> 'REJECTED'`),
  ],
);
