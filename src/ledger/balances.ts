import type { Pool } from 'pg';
import { decodeCursor, encodeCursor, isPositiveInt8 } from '../cursor';
import { AppError } from '../errors';
import { CURRENCIES, type Currency, formatAmount } from '../money';
import type { Related, SystemBucket, UserBucket } from './types';

/** Amounts in these views are canonical decimal strings (see src/money.ts); the ledger's own types use bigint. */
export interface Balance {
  currency: Currency;
  available: string;
  /** Reserved funds + funds in escrow + withdrawals in flight. */
  held: string;
}

/** One line per supported currency (zeros when the user never held it), in the order of CURRENCIES. */
export async function getBalances(pool: Pool, userId: string): Promise<Balance[]> {
  const { rows } = await pool.query<{ currency: Currency; available: string; held: string }>(
    `SELECT currency,
            coalesce(sum(balance) FILTER (WHERE bucket = 'available'), 0)::text AS available,
            coalesce(sum(balance) FILTER (WHERE bucket <> 'available'), 0)::text AS held
       FROM ledger_accounts WHERE user_id = $1 GROUP BY currency`,
    [userId],
  );
  const found = new Map(rows.map((r) => [r.currency, r]));
  return CURRENCIES.map((currency) => {
    const r = found.get(currency);
    return { currency, available: formatAmount(BigInt(r?.available ?? 0)), held: formatAmount(BigInt(r?.held ?? 0)) };
  });
}

/** Totals of each system account (summed over its shards), for reconciliation and reports. */
export async function getSystemBalances(pool: Pool): Promise<Array<{ account: SystemBucket; currency: Currency; balance: string }>> {
  const { rows } = await pool.query<{ bucket: SystemBucket; currency: Currency; balance: string }>(
    `SELECT bucket, currency, sum(balance)::text AS balance FROM ledger_accounts
      WHERE user_id IS NULL GROUP BY bucket, currency ORDER BY bucket, currency`,
  );
  return rows.map((r) => ({ account: r.bucket, currency: r.currency, balance: formatAmount(BigInt(r.balance)) }));
}

/** The sum of one bucket over every user (e.g. all funds in escrow), in minor units. */
export async function userBucketTotal(pool: Pool, bucket: UserBucket, currency: Currency): Promise<bigint> {
  const { rows } = await pool.query<{ total: string }>(
    `SELECT coalesce(sum(balance), 0)::text AS total FROM ledger_accounts WHERE bucket = $1 AND currency = $2`,
    [bucket, currency],
  );
  return BigInt(rows[0].total);
}

/** One movement of one of the user's buckets. */
export interface TransactionLine {
  /** The posting's id; lines are ordered by it, newest first. */
  id: string;
  entryId: string;
  type: string;
  bucket: UserBucket;
  currency: Currency;
  /** Signed: negative when the bucket went down. */
  amount: string;
  /** The bucket's balance right after this line (for `available`, the running available balance). */
  balanceAfter: string;
  related: Related | null;
  createdAt: Date;
}

export interface TransactionPage {
  items: TransactionLine[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The posting id inside a history cursor (src/cursor.ts). */
function postingIdOf(cursor: string): string {
  const id = decodeCursor(cursor) ?? '';
  if (!isPositiveInt8(id)) throw new AppError('VALIDATION_ERROR', 'cursor is not valid', { field: 'cursor' });
  return id;
}

/**
 * The user's ledger history, newest first, one line per movement of one of their buckets. Keyset-paginated on
 * the posting id with an opaque cursor; `limit` is 1–100 (default 20).
 */
export async function getTransactions(
  pool: Pool,
  userId: string,
  opts: { limit?: number; cursor?: string | null; currency?: Currency } = {},
): Promise<TransactionPage> {
  const limit = opts.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new AppError('VALIDATION_ERROR', 'limit must be an integer from 1 to 100', { field: 'limit' });
  }
  const before = opts.cursor ? postingIdOf(opts.cursor) : null;
  const { rows } = await pool.query<{
    id: string;
    entry_id: string;
    type: string;
    bucket: UserBucket;
    currency: Currency;
    amount: string;
    balance_after: string;
    related_type: string | null;
    related_id: string | null;
    created_at: Date;
  }>(
    `SELECT p.id::text, p.entry_id::text, e.type, a.bucket, p.currency, p.amount::text, p.balance_after::text,
            e.related_type, e.related_id, e.created_at
       FROM ledger_postings p
       JOIN ledger_entries e ON e.id = p.entry_id
       JOIN ledger_accounts a ON a.id = p.account_id
      WHERE p.user_id = $1 AND ($2::bigint IS NULL OR p.id < $2::bigint) AND ($3::text IS NULL OR p.currency = $3)
      ORDER BY p.id DESC
      LIMIT $4`,
    [userId, before, opts.currency ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    entryId: r.entry_id,
    type: r.type,
    bucket: r.bucket,
    currency: r.currency,
    amount: formatAmount(BigInt(r.amount)),
    balanceAfter: formatAmount(BigInt(r.balance_after)),
    related: r.related_type !== null && r.related_id !== null ? { type: r.related_type, id: r.related_id } : null,
    createdAt: r.created_at,
  }));
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
