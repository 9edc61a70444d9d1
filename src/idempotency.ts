import crypto from 'node:crypto';
import type { Pool } from 'pg';
import { findClaim, insertClaim, takeOverClaim } from './idempotency-repository';

/** How long a stored outcome is kept, per kind of resource (contract 001). `forever` is never purged. */
export const IDEMPOTENCY_WINDOWS = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  forever: null,
} as const;
export type IdempotencyWindow = keyof typeof IDEMPOTENCY_WINDOWS;

/**
 * A claim left in progress longer than this, by a process that named no session, belongs to a process that died; a
 * new request may take it over. A claim that names its process's session is taken over as soon as that session is gone.
 */
export const ABANDONED_AFTER_MS = 120_000;

export type Claim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: string } | { kind: 'in_progress' } | { kind: 'mismatch' };

/**
 * One request under one Idempotency-Key, as the handler sees it: who sent it (the API key; keys are per API key), the
 * key, and the request's hash. Anything the request names outside this table is named from all three (see
 * `idempotentName`).
 */
export interface IdempotentRequest {
  principal: string;
  key: string;
  /** `requestHash(method, path, body)` */
  requestHash: string;
}

/**
 * The seed of every name a keyed request gives outside this table — a Temporal update id, a derived resource id
 * (`ord_`, `wd_`): a hash of the API key, the operation, the Idempotency-Key and the request's hash.
 * - The API key: two API keys that happen to send the same key string never share an update or a resource.
 * - The operation: one key sent to two routes (after its window, or by a client that reuses keys) names two things.
 * - The request's hash: an outcome is kept only for its window (24 h, 7 days), but what it created lives on. After
 *   the window the same key with another body is a new request and must name a new resource (or update), never
 *   answer the old one as its own success; the same body names the same one again, so a late retry still finds it.
 */
export function idempotentName(r: IdempotentRequest, operation: string): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([r.principal, operation, r.key, r.requestHash]))
    .digest('hex');
}

/** A Temporal update id for `operation` sent under an Idempotency-Key (readable in the Web UI: `cancel:3fa9…`). */
export function idempotentUpdateId(r: IdempotentRequest, operation: string): string {
  return `${operation}:${idempotentName(r, operation)}`;
}

export interface ClaimInput {
  principal: string;
  key: string;
  requestHash: string;
  window: IdempotencyWindow;
  /** The claiming process's session pid (ProcessSession.pid); null when it has none now. */
  ownerPid: number | null;
}

/** A stable hash of what makes two requests "the same": method, path and body (object keys sorted). */
export function requestHash(method: string, path: string, body: unknown): string {
  return crypto
    .createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Takes the key for this request, or says why not: a stored outcome to replay, a run in progress, or another body. */
export async function claim(pool: Pool, input: ClaimInput): Promise<Claim> {
  const ttl = IDEMPOTENCY_WINDOWS[input.window];
  const row = {
    principal: input.principal,
    key: input.key,
    requestHash: input.requestHash,
    expiresAt: ttl === null ? null : new Date(Date.now() + ttl),
    ownerPid: input.ownerPid,
  };
  if (await insertClaim(pool, row)) return { kind: 'claimed' };
  // Take over an expired record, or one left in progress by a process that died (same body only).
  if (await takeOverClaim(pool, row, ABANDONED_AFTER_MS)) return { kind: 'claimed' };

  const stored = await findClaim(pool, input.principal, input.key);
  if (!stored) return claim(pool, input); // purged between our statements: try again from the start
  if (stored.request_hash !== input.requestHash) return { kind: 'mismatch' };
  if (stored.state === 'in_progress') return { kind: 'in_progress' };
  return { kind: 'replay', status: stored.response_status, body: stored.response_body };
}
