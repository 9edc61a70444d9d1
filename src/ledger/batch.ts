import type { Pool } from 'pg';
import { accountIds, type ResolvedRef, SYSTEM_ACCOUNT_SHARDS } from './accounts';
import type { Currency } from '../money';
import { type AccountLeg, mergeLegs } from './legs';

/** An entry ready to post: validated, its legs merged per account and sorted by account id. */
export interface PreparedEntry {
  key: string;
  type: string;
  currency: Currency;
  relatedType: string | null;
  relatedId: string | null;
  metadata: string;
  legs: AccountLeg[];
}

/** What one statement did for one entry: its postings, or nothing because the key was already posted. */
export type BatchOutcome =
  | { posted: true; entryId: string; createdAt: Date; postings: Array<{ ref: ResolvedRef; amount: bigint; balanceAfter: bigint }> }
  | { posted: false };

/**
 * Posts several entries in one statement, hence one transaction and one commit (group commit).
 * 1. Claim the business keys, in key order; a key that exists already yields no row and its entry moves nothing.
 * 2. Lock every account of the claimed entries in ascending id order (whatever join the planner picks).
 * 3. Apply each account's net change once, and record every posting with the running balance it produced,
 *    entries taken in the order given. A user balance — final or running — below zero violates a CHECK
 *    constraint and aborts the statement: nothing in it moves.
 * Keys are claimed before any account is locked and both in one global order, so statements never deadlock.
 */
const BATCH_SQL = `
WITH e_in AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
    AS e(key, type, currency, related_type, related_id, metadata, ord)
), entry AS (
  INSERT INTO ledger_entries (key, type, currency, related_type, related_id, metadata)
  SELECT key, type, currency, related_type, related_id, metadata::jsonb FROM e_in ORDER BY ord
  ON CONFLICT (key) DO NOTHING
  RETURNING id, key, created_at
), legs AS (
  SELECT l.entry_ord, l.leg_ord, l.account_id, l.amount, en.id AS entry_id
    FROM unnest($7::int[], $8::bigint[], $9::bigint[]) WITH ORDINALITY AS l(entry_ord, account_id, amount, leg_ord)
    JOIN e_in ON e_in.ord = l.entry_ord
    JOIN entry en ON en.key = e_in.key
), locked AS (
  SELECT a.id FROM ledger_accounts a
   WHERE a.id IN (SELECT account_id FROM legs)
   ORDER BY a.id
     FOR NO KEY UPDATE
), net AS (
  SELECT account_id, sum(amount) AS total FROM legs GROUP BY account_id
), moved AS (
  UPDATE ledger_accounts a SET balance = a.balance + n.total
    FROM net n JOIN locked k ON k.id = n.account_id
   WHERE a.id = n.account_id
  RETURNING a.id, a.user_id, a.currency, a.balance, n.total
), posted AS (
  INSERT INTO ledger_postings (entry_id, account_id, user_id, currency, amount, balance_after)
  SELECT l.entry_id, l.account_id, m.user_id, m.currency, l.amount,
         m.balance - m.total + sum(l.amount) OVER (PARTITION BY l.account_id ORDER BY l.entry_ord, l.leg_ord)
    FROM legs l JOIN moved m ON m.id = l.account_id
   ORDER BY l.entry_ord, l.leg_ord
  RETURNING entry_id, account_id, amount, balance_after
)
SELECT en.key, en.id::text AS entry_id, en.created_at, p.account_id::text, p.amount::text, p.balance_after::text
  FROM entry en JOIN posted p ON p.entry_id = en.id`;

interface Row {
  key: string;
  entry_id: string;
  created_at: Date;
  account_id: string;
  amount: string;
  balance_after: string;
}

/**
 * The shard every system-account leg of the next statement goes to. Consecutive statements of a process use
 * different shards, so two statements running at once do not queue on one hot row; inside a statement all legs
 * to one system account fold into a single row update.
 */
let shardCursor = Math.floor(Math.random() * SYSTEM_ACCOUNT_SHARDS);

async function onShard(pool: Pool, entries: PreparedEntry[]): Promise<PreparedEntry[]> {
  const shard = (shardCursor = (shardCursor + 1) % SYSTEM_ACCOUNT_SHARDS);
  return Promise.all(
    entries.map(async (e) => {
      if (!e.legs.some((l) => 'system' in l.ref)) return e;
      const refs: ResolvedRef[] = e.legs.map((l) => ('system' in l.ref ? { system: l.ref.system, shard } : l.ref));
      const ids = await accountIds(pool, refs, e.currency);
      // The shard's rows have other ids: merge again, so the legs stay one per account and in lock order.
      return { ...e, legs: mergeLegs(e.legs.map((l, i) => ({ id: ids[i], ref: refs[i], amount: l.amount }))) };
    }),
  );
}

/** Runs one statement for `entries` (distinct keys, at least one). Errors abort all of them. */
export async function postBatch(pool: Pool, given: PreparedEntry[]): Promise<BatchOutcome[]> {
  const entries = await onShard(pool, given);
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const legEntry: number[] = [];
  const legAccount: string[] = [];
  const legAmount: string[] = [];
  sorted.forEach((e, i) => {
    for (const l of e.legs) {
      legEntry.push(i + 1);
      legAccount.push(l.id.toString());
      legAmount.push(l.amount.toString());
    }
  });
  stats.statements++;
  stats.entries += entries.length;
  const { rows } = await pool.query<Row>({
    // Named, so each connection parses it once; src/db/client.ts makes every connection plan it for its actual
    // parameters (a generic plan of this statement scans every account).
    name: 'ledger_post_batch',
    text: BATCH_SQL,
    values: [
      sorted.map((e) => e.key),
      sorted.map((e) => e.type),
      sorted.map((e) => e.currency),
      sorted.map((e) => e.relatedType),
      sorted.map((e) => e.relatedId),
      sorted.map((e) => e.metadata),
      legEntry,
      legAccount,
      legAmount,
    ],
  });
  const refs = new Map(entries.flatMap((e) => e.legs.map((l) => [l.id.toString(), l.ref] as const)));
  const byKey = new Map<string, Extract<BatchOutcome, { posted: true }>>();
  for (const r of rows) {
    let out = byKey.get(r.key);
    if (!out) byKey.set(r.key, (out = { posted: true, entryId: r.entry_id, createdAt: r.created_at, postings: [] }));
    out.postings.push({ ref: refs.get(r.account_id)!, amount: BigInt(r.amount), balanceAfter: BigInt(r.balance_after) });
  }
  return entries.map((e) => byKey.get(e.key) ?? { posted: false });
}

const stats = { statements: 0, entries: 0, sharedFailures: 0 };

/** Posting statements run by this process, entries they carried, and shared statements that had to be split. */
export function batchStats(): Readonly<typeof stats> {
  return { ...stats };
}

interface Waiting {
  entry: PreparedEntry;
  resolve(outcome: BatchOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit for one pool: movements submitted while earlier statements are still running wait, and go
 * together in the next statement (up to MAX_BATCH). With few callers every movement is a statement of its own.
 * If a shared statement fails (a shortfall, a deadlock, anything), each of its movements is run again alone, so
 * one movement's failure is never another's.
 */
export class Batcher {
  static readonly MAX_BATCH = 64;
  private queue: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly pool: Pool,
    private readonly alone: (entry: PreparedEntry) => Promise<BatchOutcome>,
    private readonly maxRunning: number,
  ) {}

  submit(entry: PreparedEntry): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxRunning && this.queue.length > 0) {
      const batch = this.take();
      this.running++;
      // run() settles every waiter itself and never rejects.
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** Up to MAX_BATCH waiting movements with distinct keys (a repeated key waits for the next statement). */
  private take(): Waiting[] {
    const keys = new Set<string>();
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of this.queue) {
      if (batch.length < Batcher.MAX_BATCH && !keys.has(w.entry.key)) {
        keys.add(w.entry.key);
        batch.push(w);
      } else rest.push(w);
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [w] = batch;
      await this.alone(w.entry).then(w.resolve, w.reject);
      return;
    }
    let outcomes: BatchOutcome[];
    try {
      outcomes = await postBatch(
        this.pool,
        batch.map((w) => w.entry),
      );
    } catch {
      stats.sharedFailures++;
      await Promise.all(batch.map((w) => this.alone(w.entry).then(w.resolve, w.reject)));
      return;
    }
    batch.forEach((w, i) => w.resolve(outcomes[i]));
  }
}
