import type { PoolClient } from 'pg';
import type { ResultCodes } from './horizon-errors';

// The signed transactions the platform submits, `stellar_transactions` (one per business key), and the advisory lock
// that serialises submissions for one source account (see submitter.ts). All on the caller's client: an advisory lock
// belongs to the session that took it.

export interface StoredTransaction {
  hash: string;
  envelope_xdr: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  result_codes: ResultCodes | null;
  ledger: number | null;
}

/** Waits for the advisory lock named `lock` (held by this session until unlocked or the session ends). */
export async function lockAccount(client: PoolClient, lock: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lock]);
}

export async function unlockAccount(client: PoolClient, lock: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock]);
}

/** The transaction stored for `key`, or null when none was. */
export async function findTransaction(client: PoolClient, key: string): Promise<StoredTransaction | null> {
  const { rows } = await client.query<StoredTransaction>(
    'SELECT hash, envelope_xdr, status, result_codes, ledger FROM stellar_transactions WHERE business_key = $1',
    [key],
  );
  return rows[0] ?? null;
}

/** Stores a signed envelope before its first submission (PENDING). */
export async function insertPending(
  client: PoolClient,
  t: { key: string; hash: string; sourceAccount: string; envelopeXdr: string },
): Promise<void> {
  await client.query(
    `INSERT INTO stellar_transactions (business_key, hash, source_account, envelope_xdr, status) VALUES ($1, $2, $3, $4, 'PENDING')`,
    [t.key, t.hash, t.sourceAccount, t.envelopeXdr],
  );
}

/** Forgets a PENDING envelope that can provably never apply, so a new one is built. */
export async function deletePending(client: PoolClient, key: string): Promise<void> {
  await client.query('DELETE FROM stellar_transactions WHERE business_key = $1 AND status = $2', [key, 'PENDING']);
}

/** Stores a terminal outcome and releases the advisory lock `lock`, in one round trip. */
export async function finishAndUnlock(
  client: PoolClient,
  key: string,
  outcome: { status: 'SUCCEEDED' | 'FAILED'; resultCodes: ResultCodes | null; ledger: number | null },
  lock: string,
): Promise<void> {
  await client.query(
    `WITH done AS (UPDATE stellar_transactions SET status = $2, result_codes = $3, ledger = $4, attempts = attempts + 1, updated_at = now() WHERE business_key = $1 RETURNING 1)
     SELECT pg_advisory_unlock(hashtextextended($5, 0)) FROM (SELECT count(*) FROM done) d`,
    [key, outcome.status, outcome.resultCodes === null ? null : JSON.stringify(outcome.resultCodes), outcome.ledger, lock],
  );
}
