import { Pool } from 'pg';
import { AppError } from '../errors';
import { formatAmount, isCurrency, MAX_MINOR } from '../money';
import { accountIds, resolveRef, type ResolvedRef } from './accounts';
import { type BatchOutcome, Batcher, postBatch, type PreparedEntry } from './batch';
import { findEntry, fingerprint } from './entries';
import { mergeLegs } from './legs';
import { withRetry } from './retry';
import type { AccountRef, EntryInput, PostedEntry } from './types';

export interface Leg {
  account: AccountRef;
  /** Signed minor units; the legs of an entry sum to zero. */
  amount: bigint;
}

export interface EntrySpec extends EntryInput {
  type: string;
  legs: Leg[];
}

/** CHECK constraints that a shortfall violates: a user's final balance, or a running balance inside a batch. */
const SHORTFALL = new Set(['ledger_accounts_user_balance_non_negative', 'ledger_postings_user_balance_after_non_negative']);

function invalid(message: string, details: Record<string, unknown>): AppError {
  return new AppError('VALIDATION_ERROR', message, details);
}

function validate(spec: EntrySpec): void {
  if (typeof spec.key !== 'string' || spec.key.length < 1 || spec.key.length > 200) {
    throw invalid('key must be 1 to 200 characters', { field: 'key' });
  }
  if (!isCurrency(spec.currency)) throw invalid('currency must be USD or XLM', { field: 'currency', value: String(spec.currency) });
  if (spec.related && (!spec.related.type || !spec.related.id)) throw invalid('related needs a type and an id', { field: 'related' });
  let sum = 0n;
  for (const leg of spec.legs) {
    if (typeof leg.amount !== 'bigint') throw invalid('amounts must be bigint minor units', { field: 'amount' });
    if (leg.amount > MAX_MINOR || leg.amount < -MAX_MINOR) throw invalid('amount beyond 64 bits', { field: 'amount' });
    sum += leg.amount;
  }
  if (sum !== 0n) throw new Error(`unbalanced ledger entry ${spec.key}: legs sum to ${sum}`);
}

/** The first user account this entry would overdraw, as the caller sees it: INSUFFICIENT_FUNDS with amounts. */
async function insufficientFunds(pool: Pool, entry: PreparedEntry): Promise<AppError> {
  const debits = entry.legs.filter((l) => l.amount < 0n && 'userId' in l.ref);
  const { rows } = await pool.query<{ id: string; balance: string }>(
    'SELECT id::text, balance::text FROM ledger_accounts WHERE id = ANY($1::bigint[])',
    [debits.map((l) => l.id.toString())],
  );
  const balances = new Map(rows.map((r) => [BigInt(r.id), BigInt(r.balance)]));
  // The balance may have moved since the failed attempt; prefer a leg that is still short, else the first debit.
  const short = debits.find((l) => (balances.get(l.id) ?? 0n) + l.amount < 0n) ?? debits[0];
  const ref = short.ref as Extract<ResolvedRef, { userId: string }>;
  return new AppError('INSUFFICIENT_FUNDS', `Insufficient ${ref.bucket} funds`, {
    available: formatAmount(balances.get(short.id) ?? 0n),
    requested: formatAmount(-short.amount),
    currency: entry.currency,
    user_id: ref.userId,
    bucket: ref.bucket,
  });
}

/** One entry in a statement of its own, retried on deadlock or serialization failure; a shortfall is INSUFFICIENT_FUNDS. */
function alone(pool: Pool) {
  return (entry: PreparedEntry): Promise<BatchOutcome> =>
    withRetry(async () => {
      try {
        return (await postBatch(pool, [entry]))[0];
      } catch (err) {
        const e = err as { code?: string; constraint?: string };
        if (e.code === '23514' && SHORTFALL.has(e.constraint ?? '')) throw await insufficientFunds(pool, entry);
        throw err;
      }
    });
}

/**
 * One entry inside the caller's transaction (a client after BEGIN): it commits or rolls back with the caller's own
 * writes. The statement runs under a savepoint, so a shortfall undoes only this entry and the transaction stays
 * usable to read the balances for INSUFFICIENT_FUNDS; a deadlock aborts the caller's transaction, which retries whole.
 */
function inTransaction(client: Pool) {
  return async (entry: PreparedEntry): Promise<BatchOutcome> => {
    await client.query('SAVEPOINT ledger_entry');
    try {
      const [outcome] = await postBatch(client, [entry]);
      await client.query('RELEASE SAVEPOINT ledger_entry');
      return outcome;
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT ledger_entry');
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23514' && SHORTFALL.has(e.constraint ?? '')) throw await insufficientFunds(client, entry);
      throw err;
    }
  };
}

/**
 * How many posting statements one pool runs at once; movements arriving meanwhile share the next one. Few
 * statements, each carrying several movements, spend one commit (WAL flush) on all of them; bench/ledger
 * measured 2 as the best on a 2-core machine. LEDGER_MAX_STATEMENTS overrides it for tuning.
 */
const MAX_CONCURRENT_STATEMENTS = Number(process.env.LEDGER_MAX_STATEMENTS ?? 2);
const batchers = new WeakMap<Pool, Batcher>();

function batcherFor(pool: Pool): Batcher {
  let b = batchers.get(pool);
  // A single client (a caller's transaction) runs its statements one after the other, each under its savepoint.
  if (!b && !(pool instanceof Pool)) batchers.set(pool, (b = new Batcher(pool, inTransaction(pool), 1)));
  if (!b) {
    const poolSize = (pool as unknown as { options?: { max?: number } }).options?.max ?? 10;
    batchers.set(pool, (b = new Batcher(pool, alone(pool), Math.max(1, Math.min(poolSize, MAX_CONCURRENT_STATEMENTS)))));
  }
  return b;
}

/**
 * Posts a balanced entry atomically and idempotently: if `spec.key` was posted before, returns that entry with
 * `replayed: true` and moves nothing (a different movement under the same key is INVALID_STATE). A user bucket
 * that would go below zero is INSUFFICIENT_FUNDS and nothing moves. Deadlocks and serialization failures are
 * retried here. Concurrent calls on one pool may share a statement (see Batcher); each still succeeds or fails
 * on its own. Given a client inside a transaction (cast to Pool, as the deposit scanner and withdrawals do), the
 * entry is part of that transaction; post its entries one after the other.
 */
export async function postEntry(pool: Pool, spec: EntrySpec): Promise<PostedEntry> {
  validate(spec);
  const refs = spec.legs.map((l) => resolveRef(l.account));
  const ids = await accountIds(pool, refs, spec.currency);
  const legs = mergeLegs(spec.legs.map((l, i) => ({ id: ids[i], ref: refs[i], amount: l.amount })));
  if (legs.length < 2) throw invalid('the entry moves nothing', { key: spec.key });
  const entry: PreparedEntry = {
    key: spec.key,
    type: spec.type,
    currency: spec.currency,
    relatedType: spec.related?.type ?? null,
    relatedId: spec.related?.id ?? null,
    metadata: JSON.stringify(spec.metadata ?? {}),
    legs,
  };

  const outcome = await batcherFor(pool).submit(entry);
  if (outcome.posted) {
    return {
      id: outcome.entryId,
      key: spec.key,
      type: spec.type,
      currency: spec.currency,
      related: spec.related ? { type: spec.related.type, id: spec.related.id } : null,
      metadata: spec.metadata ?? {},
      createdAt: outcome.createdAt,
      postings: outcome.postings.map((p) => ({ account: p.ref, amount: p.amount, balanceAfter: p.balanceAfter })),
      replayed: false,
    };
  }
  const existing = await findEntry(pool, spec.key);
  if (!existing) throw new Error(`ledger entry ${spec.key} was neither posted nor found`);
  const requested = fingerprint(
    spec.type,
    spec.currency,
    legs.map((l) => ({ account: l.ref, amount: l.amount })),
  );
  if (fingerprint(existing.type, existing.currency, existing.postings) !== requested) {
    throw new AppError('INVALID_STATE', 'This business key was already posted with a different movement', {
      key: spec.key,
      entry_id: existing.id,
    });
  }
  return existing;
}
