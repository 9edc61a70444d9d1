import type { Pool } from 'pg';
import type { Currency } from '../money';
import type { Posting, PostedEntry, SystemBucket, UserBucket } from './types';

export interface EntryPostingRow {
  id: string;
  key: string;
  type: string;
  currency: Currency;
  related_type: string | null;
  related_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  account_id: string;
  amount: string;
  balance_after: string;
  user_id: string | null;
  bucket: string;
  shard: number;
}

export function postingFromRow(r: Pick<EntryPostingRow, 'user_id' | 'bucket' | 'shard' | 'amount' | 'balance_after'>): Posting {
  return {
    account:
      r.user_id === null ? { system: r.bucket as SystemBucket, shard: r.shard } : { userId: r.user_id, bucket: r.bucket as UserBucket },
    amount: BigInt(r.amount),
    balanceAfter: BigInt(r.balance_after),
  };
}

/** The entry posted under business `key` with its postings (in posting order), or null when none was. */
export async function findEntry(pool: Pool, key: string): Promise<PostedEntry | null> {
  const { rows } = await pool.query<EntryPostingRow>(
    `SELECT e.id::text, e.key, e.type, e.currency, e.related_type, e.related_id, e.metadata, e.created_at,
            p.account_id::text, p.amount::text, p.balance_after::text, a.user_id, a.bucket, a.shard
       FROM ledger_entries e
       JOIN ledger_postings p ON p.entry_id = e.id
       JOIN ledger_accounts a ON a.id = p.account_id
      WHERE e.key = $1
      ORDER BY p.id`,
    [key],
  );
  if (rows.length === 0) return null;
  const e = rows[0];
  return {
    id: e.id,
    key: e.key,
    type: e.type,
    currency: e.currency,
    related: e.related_type !== null && e.related_id !== null ? { type: e.related_type, id: e.related_id } : null,
    metadata: e.metadata,
    createdAt: e.created_at,
    postings: rows.map(postingFromRow),
    replayed: true,
  };
}

/**
 * A movement's identity for comparing a replay with what was posted: its accounts and amounts, order ignored.
 * Which shard of a system account a posting landed on is an internal choice, so it is left out.
 */
export function fingerprint(type: string, currency: string, postings: Array<Pick<Posting, 'account' | 'amount'>>): string {
  const legs = postings.map((p) => {
    const a = p.account;
    return `${'system' in a ? `system:${a.system}` : `user:${a.userId}:${a.bucket}`}=${p.amount}`;
  });
  return `${type}|${currency}|${legs.sort().join(',')}`;
}
