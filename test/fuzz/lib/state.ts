import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

/**
 * Everything a refused request must leave as it was: every table of the database (found in information_schema, so a
 * table added by a later migration is covered without touching this file) by row count and a hash of its rows, and
 * every workflow the API under test started, by history length.
 */
export interface StateSnapshot {
  tables: Record<string, { rows: number; hash: string }>;
  workflows: Record<string, number>;
}

/**
 * Rows that change on any request by design, left out of the comparison (a table missing here is compared whole):
 * - `rate_limit_counters`, the `addr:` and `key:` buckets: every request spends its client address's budget and, once
 *   authenticated, its key's: counting refused requests is the point of a rate limit. Per-user slots (withdrawals: 5 a
 *   minute) are compared: a request refused before its handler ran (400, 404) gives its slot back, leaving a zero
 *   count at most (zero rows are left out).
 *   A 409/422 refusal keeps its slot by design (it ran); the fuzzer sends no request that could get that far.
 * - `idempotency_keys`, completed with a 4xx: a refusal the handler gave under an Idempotency-Key is the key's outcome
 *   and is replayed byte for byte (Stripe's semantics, README "API conventions"). Claims left in progress, and any
 *   other outcome, are compared.
 * - `audit_log`, `reconciliation.*` actions: support's reads of custody and escrows are audited, who looked included.
 */
export const EXCLUDED: Record<string, string | null> = {
  'public.rate_limit_counters': "bucket NOT LIKE 'addr:%' AND bucket NOT LIKE 'key:%' AND count > 0",
  'public.idempotency_keys': "NOT (state = 'completed' AND response_status BETWEEN 400 AND 499)",
  'public.audit_log': "action NOT LIKE 'reconciliation.%'",
};

export async function snapshotDatabase(pool: Pool): Promise<StateSnapshot['tables']> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const out: StateSnapshot['tables'] = {};
  const parts: string[] = [];
  for (const { name } of tables) {
    if (name in EXCLUDED && EXCLUDED[name] === null) continue;
    const where = EXCLUDED[name] ? `WHERE ${EXCLUDED[name]}` : '';
    parts.push(
      `SELECT ${literal(name)} AS name, count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS hash FROM ${name} t ${where}`,
    );
  }
  if (!parts.length) return out;
  const { rows } = await pool.query<{ name: string; rows: number; hash: string }>(parts.join(' UNION ALL '));
  for (const r of rows) out[r.name] = { rows: r.rows, hash: r.hash };
  return out;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Every workflow on the API's task queue with its history length (describe: the server's own count, not visibility's). */
export async function snapshotWorkflows(client: Client, taskQueue: string): Promise<StateSnapshot['workflows']> {
  const out: StateSnapshot['workflows'] = {};
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    out[`${wf.workflowId}/${wf.runId}`] = d.historyLength;
  }
  return out;
}

export async function snapshot(pool: Pool, client: Client, taskQueue: string): Promise<StateSnapshot> {
  const [tables, workflows] = await Promise.all([snapshotDatabase(pool), snapshotWorkflows(client, taskQueue)]);
  return { tables, workflows };
}

/** What differs, one line each (empty when nothing does). */
export function diffSnapshots(before: StateSnapshot, after: StateSnapshot): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])) {
    const a = before.tables[name];
    const b = after.tables[name];
    if (a?.hash !== b?.hash) out.push(`table ${name}: ${a?.rows ?? 'absent'} → ${b?.rows ?? 'absent'} rows, contents changed`);
  }
  for (const id of new Set([...Object.keys(before.workflows), ...Object.keys(after.workflows)])) {
    if (before.workflows[id] !== after.workflows[id])
      out.push(`workflow ${id}: history ${before.workflows[id] ?? 'absent'} → ${after.workflows[id] ?? 'absent'} events`);
  }
  return out;
}
