import type { Pool } from 'pg';
import { formatAmount } from '../money';

export type BreachKind =
  | 'entry_unbalanced'
  | 'ledger_unbalanced'
  | 'user_balance_negative'
  | 'balance_mismatch'
  | 'running_balance_mismatch'
  | 'currency_mismatch'
  | 'owner_mismatch'
  | 'entry_too_few_postings';

export interface Breach {
  kind: BreachKind;
  message: string;
  details: Record<string, string | number | null>;
}

export interface VerifyReport {
  ok: boolean;
  breaches: Breach[];
  counts: { accounts: number; entries: number; postings: number };
}

/** At most this many breaches of one kind are listed (a broken invariant tends to break everywhere at once). */
const LIMIT = 50;

type Row = Record<string, string | number | null>;

interface Check {
  kind: BreachKind;
  sql: string;
  message: (r: Row) => string;
}

const amt = (v: unknown) => formatAmount(BigInt(String(v)));

const CHECKS: Check[] = [
  {
    kind: 'entry_unbalanced',
    sql: `SELECT e.id::text AS entry_id, e.key, p.currency, sum(p.amount)::text AS sum
            FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
           GROUP BY e.id, e.key, p.currency HAVING sum(p.amount) <> 0 ORDER BY e.id LIMIT ${LIMIT}`,
    message: (r) => `entry ${r.entry_id} (${r.key}) postings sum to ${amt(r.sum)} ${r.currency}, not 0`,
  },
  {
    kind: 'ledger_unbalanced',
    sql: `SELECT currency, sum(amount)::text AS sum FROM ledger_postings GROUP BY currency HAVING sum(amount) <> 0`,
    message: (r) => `all ${r.currency} postings sum to ${amt(r.sum)}, not 0`,
  },
  {
    kind: 'user_balance_negative',
    sql: `SELECT id::text AS account_id, user_id, bucket, currency, balance::text AS balance
            FROM ledger_accounts WHERE user_id IS NOT NULL AND balance < 0 ORDER BY id LIMIT ${LIMIT}`,
    message: (r) => `user ${r.user_id} ${r.bucket} ${r.currency} balance is ${amt(r.balance)}`,
  },
  {
    kind: 'balance_mismatch',
    sql: `SELECT a.id::text AS account_id, a.user_id, a.bucket, a.currency, a.shard,
                 a.balance::text AS stored, coalesce(s.total, 0)::text AS postings
            FROM ledger_accounts a
            LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) s ON s.account_id = a.id
           WHERE a.balance <> coalesce(s.total, 0) ORDER BY a.id LIMIT ${LIMIT}`,
    message: (r) =>
      `account ${r.account_id} (${r.user_id ?? 'system'} ${r.bucket} ${r.currency}) stores ${amt(r.stored)} but its postings sum to ${amt(r.postings)}`,
  },
  {
    kind: 'running_balance_mismatch',
    sql: `SELECT posting_id, account_id, balance_after, running FROM (
            SELECT id::text AS posting_id, account_id::text AS account_id, balance_after::text AS balance_after,
                   balance_after AS b, (sum(amount) OVER (PARTITION BY account_id ORDER BY id))::text AS running,
                   sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS r
              FROM ledger_postings) x
           WHERE b <> r ORDER BY posting_id::bigint LIMIT ${LIMIT}`,
    message: (r) =>
      `posting ${r.posting_id} on account ${r.account_id} records balance ${amt(r.balance_after)} but the running sum is ${amt(r.running)}`,
  },
  {
    kind: 'currency_mismatch',
    sql: `SELECT p.id::text AS posting_id, p.currency AS posting_currency, a.currency AS account_currency, e.currency AS entry_currency
            FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id JOIN ledger_entries e ON e.id = p.entry_id
           WHERE p.currency <> a.currency OR p.currency <> e.currency ORDER BY p.id LIMIT ${LIMIT}`,
    message: (r) =>
      `posting ${r.posting_id} is in ${r.posting_currency}, its account in ${r.account_currency}, its entry in ${r.entry_currency}`,
  },
  {
    kind: 'owner_mismatch',
    sql: `SELECT p.id::text AS posting_id, p.user_id AS posting_user, a.user_id AS account_user
            FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
           WHERE p.user_id IS DISTINCT FROM a.user_id ORDER BY p.id LIMIT ${LIMIT}`,
    message: (r) => `posting ${r.posting_id} names user ${r.posting_user} but its account belongs to ${r.account_user ?? 'the system'}`,
  },
  {
    kind: 'entry_too_few_postings',
    sql: `SELECT e.id::text AS entry_id, e.key, count(p.id)::int AS postings
            FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id
           GROUP BY e.id, e.key HAVING count(p.id) < 2 ORDER BY e.id LIMIT ${LIMIT}`,
    message: (r) => `entry ${r.entry_id} (${r.key}) has ${r.postings} posting(s); a movement needs at least two`,
  },
];

/**
 * Checks the ledger's invariants on one consistent snapshot: every entry's postings sum to zero per currency, so
 * does the whole ledger, user balances are not negative, stored balances equal the sum of their postings (and
 * each posting's recorded balance equals the running sum), and postings agree with their accounts and entries.
 */
export async function verifyLedger(pool: Pool): Promise<VerifyReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const breaches: Breach[] = [];
    for (const check of CHECKS) {
      const { rows } = await client.query<Row>(check.sql);
      for (const r of rows) breaches.push({ kind: check.kind, message: check.message(r), details: r });
    }
    const { rows } = await client.query<{ accounts: number; entries: number; postings: number }>(
      `SELECT (SELECT count(*) FROM ledger_accounts)::int AS accounts, (SELECT count(*) FROM ledger_entries)::int AS entries,
              (SELECT count(*) FROM ledger_postings)::int AS postings`,
    );
    await client.query('COMMIT');
    return { ok: breaches.length === 0, breaches, counts: rows[0] };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
