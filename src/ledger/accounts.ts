import { Pool } from 'pg';
import { AppError } from '../errors';
import type { Currency } from '../money';
import type { AccountRef, SystemBucket, UserBucket } from './types';

/**
 * How many rows each system account is split into. Each posting statement sends all its system-account legs to
 * one shard, and consecutive statements use different shards (see batch.ts), so concurrent movements rarely wait
 * on one row's lock. Raising it later is safe (balances are sums over whatever shards exist); lowering it only
 * stops new postings to the upper shards.
 */
export const SYSTEM_ACCOUNT_SHARDS = 64;

/** A concrete account row: a user bucket, or one shard of a system account. */
export type ResolvedRef = { userId: string; bucket: UserBucket } | { system: SystemBucket; shard: number };

/** A user bucket as is; a system account on shard 0 until the statement that posts it picks the shard. */
export function resolveRef(ref: AccountRef): ResolvedRef {
  return 'system' in ref ? { system: ref.system, shard: 0 } : { userId: ref.userId, bucket: ref.bucket };
}

function cacheKey(ref: ResolvedRef, currency: Currency): string {
  return 'system' in ref ? `s|${ref.system}|${ref.shard}|${currency}` : `u|${ref.userId}|${ref.bucket}|${currency}`;
}

/** Account ids never change once created, so each process remembers them per pool. */
const caches = new WeakMap<Pool, Map<string, bigint>>();

/**
 * Account ids are cached per pool. A single client (a caller's own transaction) gets no lasting cache: an account
 * it creates disappears if that transaction rolls back, and the client goes back to the pool to serve others.
 */
function cacheFor(pool: Pool): Map<string, bigint> {
  if (!(pool instanceof Pool)) return new Map();
  let cache = caches.get(pool);
  if (!cache) caches.set(pool, (cache = new Map()));
  return cache;
}

interface Row {
  id: string;
  user_id: string | null;
  bucket: string;
  currency: Currency;
  shard: number;
}

function rowKey(r: Row): string {
  return r.user_id === null ? `s|${r.bucket}|${r.shard}|${r.currency}` : `u|${r.user_id}|${r.bucket}|${r.currency}`;
}

async function lookup(pool: Pool, refs: ResolvedRef[], currency: Currency): Promise<Row[]> {
  const users = refs.filter((r): r is Extract<ResolvedRef, { userId: string }> => 'userId' in r);
  const systems = refs.filter((r): r is Extract<ResolvedRef, { system: SystemBucket }> => 'system' in r);
  const { rows } = await pool.query<Row>(
    `SELECT a.id::text, a.user_id, a.bucket, a.currency, a.shard
       FROM ledger_accounts a JOIN unnest($1::text[], $2::text[]) u(user_id, bucket)
         ON a.user_id = u.user_id AND a.bucket = u.bucket AND a.currency = $5 AND a.shard = 0
     UNION ALL
     SELECT a.id::text, a.user_id, a.bucket, a.currency, a.shard
       FROM ledger_accounts a JOIN unnest($3::text[], $4::smallint[]) s(bucket, shard)
         ON a.user_id IS NULL AND a.bucket = s.bucket AND a.currency = $5 AND a.shard = s.shard`,
    [users.map((u) => u.userId), users.map((u) => u.bucket), systems.map((s) => s.system), systems.map((s) => s.shard), currency],
  );
  return rows;
}

/**
 * Ids of the accounts behind `refs` in `currency`, creating missing rows (a user's buckets come into being with
 * their first movement). A user that does not exist is USER_NOT_FOUND.
 */
export async function accountIds(pool: Pool, refs: ResolvedRef[], currency: Currency): Promise<bigint[]> {
  const cache = cacheFor(pool);
  const missing = refs.filter((r) => !cache.has(cacheKey(r, currency)));
  if (missing.length > 0) {
    let rows = await lookup(pool, missing, currency);
    if (rows.length < missing.length) {
      const found = new Set(rows.map(rowKey));
      const absent = missing.filter((r) => !found.has(cacheKey(r, currency)));
      try {
        await pool.query(
          `INSERT INTO ledger_accounts (user_id, bucket, currency, shard)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[])
           ON CONFLICT DO NOTHING`,
          [
            absent.map((r) => ('userId' in r ? r.userId : null)),
            absent.map((r) => ('userId' in r ? r.bucket : r.system)),
            absent.map(() => currency),
            absent.map((r) => ('userId' in r ? 0 : r.shard)),
          ],
        );
      } catch (err) {
        if ((err as { code?: string }).code === '23503') {
          const userId = /\(user_id\)=\(([^)]*)\)/.exec((err as { detail?: string }).detail ?? '')?.[1];
          throw new AppError('USER_NOT_FOUND', 'User not found', { user_id: userId ?? null });
        }
        throw err;
      }
      rows = await lookup(pool, missing, currency);
    }
    for (const r of rows) cache.set(rowKey(r), BigInt(r.id));
  }
  return refs.map((r) => {
    const id = cache.get(cacheKey(r, currency));
    if (id === undefined) throw new Error(`ledger account missing after creation: ${cacheKey(r, currency)}`);
    return id;
  });
}
