import type { Pool } from 'pg';
import { newId } from '../../src/ids';
import { getBalances } from '../../src/ledger';
import type { Currency } from '../../src/money';

/** Inserts `n` users directly (the ledger only needs the rows to exist) and returns their ids. */
export async function createUsers(pool: Pool, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId('usr'));
  await pool.query(
    `INSERT INTO users (id, external_user_id, type) SELECT id, 'ledger-test-' || id, 'BOTH' FROM unnest($1::text[]) AS t(id)`,
    [ids],
  );
  return ids;
}

/** A business key no other test of this run uses. */
export function uniqueKey(label: string): string {
  return `test:${label}:${newId('k')}`;
}

/** Every bucket of a user in one currency, as bigint minor units (absent buckets are 0). */
export async function buckets(pool: Pool, userId: string, currency: Currency = 'USD'): Promise<Record<string, bigint>> {
  const { rows } = await pool.query<{ bucket: string; balance: string }>(
    'SELECT bucket, balance::text FROM ledger_accounts WHERE user_id = $1 AND currency = $2',
    [userId, currency],
  );
  const out: Record<string, bigint> = { available: 0n, reserved: 0n, escrow: 0n, withdrawing: 0n };
  for (const r of rows) out[r.bucket] = BigInt(r.balance);
  return out;
}

export async function balanceOf(pool: Pool, userId: string, currency: Currency = 'USD') {
  return (await getBalances(pool, userId)).find((b) => b.currency === currency)!;
}

/** Sum of a system account over its shards, in minor units. */
export async function systemTotal(pool: Pool, bucket: string, currency: Currency = 'USD'): Promise<bigint> {
  const { rows } = await pool.query<{ total: string }>(
    'SELECT coalesce(sum(balance), 0)::text AS total FROM ledger_accounts WHERE user_id IS NULL AND bucket = $1 AND currency = $2',
    [bucket, currency],
  );
  return BigInt(rows[0].total);
}

/** Units to minor units: u(10) = 10 USD. */
export const u = (units: number | bigint) => BigInt(units) * 10_000_000n;
