import { bigint, bigserial, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './users';

/** Each user's Stellar account. The secret rests sealed (AES-256-GCM, key id inside, bound to the user id). */
export const wallets = pgTable('wallets', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  publicKey: text('public_key').notNull().unique(),
  secretSealed: text('secret_sealed').notNull(),
  /** FAILED: activation gave up (WALLET_ACTIVATION_TIMEOUT_MS or a refusal); asking for the deposit address tries again. */
  status: text('status', { enum: ['PENDING', 'ACTIVE', 'FAILED'] })
    .notNull()
    .default('PENDING'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  activatedAt: timestamp('activated_at', { withTimezone: true }),
  /** Why the last activation attempt did not complete (a refusal's result codes, or the fault); cleared once ACTIVE. */
  lastError: text('last_error'),
});

/**
 * Every transaction the platform signs, stored with its envelope and hash before its first submission, so a retry
 * resubmits the very same envelope and a crash can never lead to a second, different payment.
 */
export const stellarTransactions = pgTable('stellar_transactions', {
  businessKey: text('business_key').primaryKey(),
  hash: text('hash').notNull().unique(),
  sourceAccount: text('source_account').notNull(),
  envelopeXdr: text('envelope_xdr').notNull(),
  status: text('status', { enum: ['PENDING', 'SUCCEEDED', 'FAILED'] }).notNull(),
  resultCodes: jsonb('result_codes'),
  ledger: integer('ledger'),
  attempts: integer('attempts').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Where each chain scanner has got to (a Horizon paging token), moved in the same transaction as what it found. */
export const chainCursors = pgTable('chain_cursors', {
  name: text('name').primaryKey(),
  cursor: text('cursor').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const withdrawalStatuses = [
  'WITHDRAWAL_CREATED',
  'WITHDRAWAL_COMMITTED',
  'WITHDRAWAL_PENDING',
  'WITHDRAWAL_COMPLETED',
  'WITHDRAWAL_FAILED',
  /** An Airtm payout created uncommitted: funds held, nothing sent until POST /withdrawals/{id}/commit. */
  'WITHDRAWAL_AWAITING_COMMIT',
  /** An Airtm payout committed and waiting for its recipient to sign up or verify (Airtm's PENDING): followed, not failed. */
  'WITHDRAWAL_AWAITING_RECIPIENT',
  /** An Airtm payout cancelled (by us before its commit, or by Airtm); the hold went back. */
  'WITHDRAWAL_CANCELED',
] as const;

export const withdrawals = pgTable(
  'withdrawals',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    destinationType: text('destination_type').notNull(),
    destinationAddress: text('destination_address').notNull(),
    memo: text('memo'),
    memoType: text('memo_type'),
    status: text('status', { enum: withdrawalStatuses }).notNull(),
    txHash: text('tx_hash'),
    failureCode: text('failure_code'),
    resultCodes: jsonb('result_codes'),
    /** Airtm payouts: the payout's id at Airtm, its last status there and its reasonDescription (reasonCode is failure_code). */
    providerPayoutId: text('provider_payout_id'),
    providerStatus: text('provider_status'),
    failureReason: text('failure_reason'),
    /**
     * A completed Airtm payout: the wallet's payment of its USDC to the treasury (src/withdrawals/payout-sweep.ts), the
     * attempts that failed on chain (the next is keyed `withdrawal:<id>:treasury:<attempts>`), and why the last try did not
     * land (cleared once it does).
     */
    treasuryTxHash: text('treasury_tx_hash'),
    treasuryAttempts: integer('treasury_attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('withdrawals_user_idx').on(t.userId, t.seq),
    index('withdrawals_status_idx').on(t.status),
    uniqueIndex('withdrawals_provider_payout_idx').on(t.providerPayoutId),
  ],
);

/** Wallet activations started per UTC day, per API key (its principal id) and in total (`*`): the budget of platform XLM. */
export const walletActivationBudget = pgTable(
  'wallet_activation_budget',
  {
    day: date('day').notNull(),
    principal: text('principal').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.principal] })],
);
