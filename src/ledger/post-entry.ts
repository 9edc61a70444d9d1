import type { Pool } from 'pg';
import { AppError } from '../errors';
import { formatAmount, isCurrency, MAX_MINOR } from '../money';
import { accountIds, resolveRef, ResolvedRef } from './accounts';
import { findEntry, fingerprint } from './entries';
import { withRetry } from './retry';
import type { AccountRef, EntryInput, Posting, PostedEntry } from './types';

export interface Leg {
  account: AccountRef;
  /** Signed minor units; the legs of an entry sum to zero. */
  amount: bigint;
}

export interface EntrySpec extends EntryInput {
  type: string;
  legs: Leg[];
}

const NON_NEGATIVE = 'ledger_accounts_user_balance_non_negative';

/**
 * One statement, hence one transaction: claim the business key, apply every leg to its account's balance, record
 * the postings with the balances they produced. When the key exists already the insert yields no row and nothing
 * else happens (a concurrent insert of the same key waits for the first to commit or roll back). `locked` takes
 * the row locks in ascending id order whatever join the planner picks for the update (a seq scan would otherwise
 * lock in heap order), so two movements never wait on each other in a cycle. A user balance that would go below
 * zero violates the CHECK constraint and aborts the whole statement.
 */
const POST_SQL = `
WITH legs AS (
  SELECT * FROM unnest($7::bigint[], $8::bigint[]) WITH ORDINALITY AS l(account_id, amount, ord)
), entry AS (
  INSERT INTO ledger_entries (key, type, currency, related_type, related_id, metadata)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb)
  ON CONFLICT (key) DO NOTHING
  RETURNING id, created_at
), locked AS (
  SELECT a.id FROM ledger_accounts a
   WHERE a.id = ANY($7::bigint[]) AND EXISTS (SELECT 1 FROM entry)
   ORDER BY a.id
     FOR NO KEY UPDATE
), moved AS (
  UPDATE ledger_accounts a SET balance = a.balance + l.amount
    FROM legs l JOIN locked k ON k.id = l.account_id
   WHERE a.id = l.account_id
  RETURNING a.id, a.user_id, a.currency, a.balance, l.amount, l.ord
), posted AS (
  INSERT INTO ledger_postings (entry_id, account_id, user_id, currency, amount, balance_after)
  SELECT entry.id, m.id, m.user_id, m.currency, m.amount, m.balance FROM entry, moved m ORDER BY m.ord
  RETURNING account_id, amount, balance_after
)
SELECT entry.id::text AS entry_id, entry.created_at, p.account_id::text, p.amount::text, p.balance_after::text
  FROM entry, posted p`;

interface PostRow {
  entry_id: string;
  created_at: Date;
  account_id: string;
  amount: string;
  balance_after: string;
}

interface MergedLeg {
  id: bigint;
  ref: ResolvedRef;
  amount: bigint;
}

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

/** Folds legs on the same account together and orders them by account id (the lock order). */
function merge(ids: bigint[], refs: ResolvedRef[], legs: Leg[]): MergedLeg[] {
  const byId = new Map<bigint, MergedLeg>();
  legs.forEach((leg, i) => {
    const seen = byId.get(ids[i]);
    if (seen) seen.amount += leg.amount;
    else byId.set(ids[i], { id: ids[i], ref: refs[i], amount: leg.amount });
  });
  return [...byId.values()].filter((l) => l.amount !== 0n).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The first user account this entry would overdraw, as the caller sees it: INSUFFICIENT_FUNDS with amounts. */
async function insufficientFunds(pool: Pool, spec: EntrySpec, legs: MergedLeg[]): Promise<AppError> {
  const debits = legs.filter((l) => l.amount < 0n && 'userId' in l.ref);
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
    currency: spec.currency,
    user_id: ref.userId,
    bucket: ref.bucket,
  });
}

async function attempt(pool: Pool, spec: EntrySpec, legs: MergedLeg[]): Promise<PostedEntry | null> {
  let rows: PostRow[];
  try {
    // Named, so each connection parses and plans it once.
    ({ rows } = await pool.query<PostRow>({ name: 'ledger_post_entry', text: POST_SQL, values: [
      spec.key,
      spec.type,
      spec.currency,
      spec.related?.type ?? null,
      spec.related?.id ?? null,
      JSON.stringify(spec.metadata ?? {}),
      legs.map((l) => l.id.toString()),
      legs.map((l) => l.amount.toString()),
    ] }));
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23514' && e.constraint === NON_NEGATIVE) throw await insufficientFunds(pool, spec, legs);
    throw err;
  }
  if (rows.length === 0) return null;
  const refById = new Map(legs.map((l) => [l.id.toString(), l.ref]));
  const postings: Posting[] = rows.map((r) => ({
    account: refById.get(r.account_id)!,
    amount: BigInt(r.amount),
    balanceAfter: BigInt(r.balance_after),
  }));
  return {
    id: rows[0].entry_id,
    key: spec.key,
    type: spec.type,
    currency: spec.currency,
    related: spec.related ? { type: spec.related.type, id: spec.related.id } : null,
    metadata: spec.metadata ?? {},
    createdAt: rows[0].created_at,
    postings,
    replayed: false,
  };
}

/**
 * Posts a balanced entry atomically and idempotently: if `spec.key` was posted before, returns that entry with
 * `replayed: true` and moves nothing (a different movement under the same key is INVALID_STATE). A user bucket
 * that would go below zero is INSUFFICIENT_FUNDS and nothing moves. Deadlocks and serialization failures are
 * retried here.
 */
export async function postEntry(pool: Pool, spec: EntrySpec): Promise<PostedEntry> {
  validate(spec);
  const refs = spec.legs.map((l) => resolveRef(l.account, spec.key));
  const ids = await accountIds(pool, refs, spec.currency);
  const legs = merge(ids, refs, spec.legs);
  if (legs.length < 2) throw invalid('the entry moves nothing', { key: spec.key });

  return withRetry(async () => {
    const posted = await attempt(pool, spec, legs);
    if (posted) return posted;
    const existing = await findEntry(pool, spec.key);
    if (!existing) throw Object.assign(new Error('business key vanished between conflict and read'), { code: '40001' });
    const requested = fingerprint(spec.type, spec.currency, legs.map((l) => ({ account: l.ref, amount: l.amount })));
    if (fingerprint(existing.type, existing.currency, existing.postings) !== requested) {
      throw new AppError('INVALID_STATE', 'This business key was already posted with a different movement', {
        key: spec.key,
        entry_id: existing.id,
      });
    }
    return existing;
  });
}
