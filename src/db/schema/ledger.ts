import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * The balance ledger: double-entry accounts, journal entries and their postings.
 *
 * Signs. Every posting is a signed amount in minor units (7 decimals); an account's balance is the sum of its
 * postings, and every entry's postings sum to zero per currency, so the whole ledger sums to zero.
 * - User buckets (`available`, `reserved`, `escrow`, `withdrawing`) hold what the platform owes a user and are
 *   positive; a CHECK constraint keeps them at or above zero. `held` = reserved + escrow + withdrawing.
 * - `fees` holds the platform's earned fees and is positive in normal operation.
 * - `stellar_custody`, `airtm_clearing` and `onramp` are the outside world's side of each rail: money coming in
 *   through a rail is posted negative there (and positive to a user), money paid out through it positive. Their
 *   balances are therefore usually negative: minus the net amount that came in through that rail. They are not
 *   bounded by zero (a user may deposit through one rail and withdraw through another).
 * Hence at all times: sum(user buckets) + fees = -(stellar_custody + airtm_clearing + onramp).
 *
 * System accounts are split into shards (rows with the same bucket and currency, `shard` 0..N-1); each posting
 * statement picks one shard, so no single row is updated by every transaction. A system account's balance is the
 * sum over its shards. User accounts always have shard 0.
 */
export const userBuckets = ['available', 'reserved', 'escrow', 'withdrawing'] as const;
export const systemBuckets = ['stellar_custody', 'airtm_clearing', 'onramp', 'fees'] as const;

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Owner; NULL for system accounts. */
    userId: text('user_id').references(() => users.id, { onDelete: 'restrict' }),
    bucket: text('bucket').notNull(),
    currency: text('currency').notNull(),
    shard: smallint('shard').notNull().default(0),
    balance: bigint('balance', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('ledger_accounts_owner_bucket_currency_shard_unique').on(t.userId, t.bucket, t.currency, t.shard).nullsNotDistinct(),
    check('ledger_accounts_user_balance_non_negative', sql`${t.userId} IS NULL OR ${t.balance} >= 0`),
    check('ledger_accounts_currency_check', sql`${t.currency} IN ('USD', 'XLM')`),
    check(
      'ledger_accounts_bucket_check',
      sql`(${t.userId} IS NOT NULL AND ${t.shard} = 0 AND ${t.bucket} IN ('available', 'reserved', 'escrow', 'withdrawing'))
        OR (${t.userId} IS NULL AND ${t.shard} >= 0 AND ${t.bucket} IN ('stellar_custody', 'airtm_clearing', 'onramp', 'fees'))`,
    ),
  ],
);

/** One balanced movement. `key` is the business key (`order:ord_1:reserve`) that makes posting it idempotent. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    key: text('key').notNull().unique(),
    type: text('type').notNull(),
    currency: text('currency').notNull(),
    /** The resource the movement belongs to, e.g. ('order', 'ord_1'); both NULL when there is none. */
    relatedType: text('related_type'),
    relatedId: text('related_id'),
    metadata: jsonb('metadata')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_entries_related_idx').on(t.relatedType, t.relatedId),
    check('ledger_entries_key_check', sql`length(${t.key}) BETWEEN 1 AND 200`),
  ],
);

/**
 * One leg of an entry: a signed amount on one account. `balance_after` is the account's balance right after this
 * posting (postings of one account are numbered in the order their updates took the row lock, so it is a true
 * running balance). `user_id` copies the account's owner so a user's history is one index range.
 */
export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    entryId: bigint('entry_id', { mode: 'bigint' })
      .notNull()
      .references(() => ledgerEntries.id),
    accountId: bigint('account_id', { mode: 'bigint' })
      .notNull()
      .references(() => ledgerAccounts.id),
    userId: text('user_id'),
    currency: text('currency').notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    balanceAfter: bigint('balance_after', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    index('ledger_postings_entry_idx').on(t.entryId),
    index('ledger_postings_user_idx')
      .on(t.userId, t.id)
      .where(sql`${t.userId} IS NOT NULL`),
    check('ledger_postings_amount_non_zero', sql`${t.amount} <> 0`),
    // A user's running balance never dips below zero, even between the entries of one batched statement.
    check('ledger_postings_user_balance_after_non_negative', sql`${t.userId} IS NULL OR ${t.balanceAfter} >= 0`),
  ],
);
