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

/** A claim left in progress longer than this belongs to a process that died; a new request may take it over. */
export const ABANDONED_AFTER_MS = 120_000;

export type Claim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: string } | { kind: 'in_progress' } | { kind: 'mismatch' };

export interface ClaimInput {
  principal: string;
  key: string;
  requestHash: string;
  window: IdempotencyWindow;
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
  };
  if (await insertClaim(pool, row)) return { kind: 'claimed' };
  // Take over an expired record, or one abandoned in progress by a process that died (same body only).
  if (await takeOverClaim(pool, row, ABANDONED_AFTER_MS)) return { kind: 'claimed' };

  const stored = await findClaim(pool, input.principal, input.key);
  if (!stored) return claim(pool, input); // purged between our statements: try again from the start
  if (stored.request_hash !== input.requestHash) return { kind: 'mismatch' };
  if (stored.state === 'in_progress') return { kind: 'in_progress' };
  return { kind: 'replay', status: stored.response_status, body: stored.response_body };
}
