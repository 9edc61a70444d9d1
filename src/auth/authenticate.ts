import type { Pool } from 'pg';
import { constantTimeEqual, digest, matchesDigest, sha256Hex } from '../crypto/hashing';
import type { Scope } from './api-keys';
import { lookupPrefix } from './api-keys';
import { findActiveKeyByPrefix } from './api-keys-repository';

export type Principal = { kind: 'master'; id: 'master' } | { kind: 'api_key'; id: string; scopes: Scope[] };

export interface AuthenticatorOptions {
  /** How long a verified key is remembered. */
  cacheTtlMs: number;
  /** How long a well-formed token that matched no key is remembered as unknown. */
  missTtlMs: number;
  /** Most tokens each cache holds; the oldest are forgotten first. */
  maxEntries?: number;
}

/**
 * Resolves bearer tokens to principals. Keys are found by their prefix and their hash compared in constant time.
 * Both outcomes are remembered in-process, keyed by the token's hash (never the token): a verified key for
 * `cacheTtlMs`, so most requests need no database round trip (a revocation through this process forgets it at once,
 * other API processes stop accepting it within `cacheTtlMs`); a token that matched nothing for `missTtlMs`, so
 * repeating a bogus token does not reach PostgreSQL again. Concurrent lookups of one token share one query.
 */
export class Authenticator {
  private readonly masterDigest: Buffer;
  private readonly hits = new Map<string, { principal: Principal; until: number }>();
  private readonly misses = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  private readonly maxEntries: number;

  constructor(
    private readonly pool: Pool,
    masterKey: string,
    private readonly options: AuthenticatorOptions,
  ) {
    this.masterDigest = digest(masterKey);
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async authenticate(token: string, now = Date.now()): Promise<Principal | null> {
    if (matchesDigest(token, this.masterDigest)) return { kind: 'master', id: 'master' };
    const prefix = lookupPrefix(token);
    if (!prefix) return null;
    const hash = sha256Hex(token);
    const hit = this.hits.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const missUntil = this.misses.get(hash);
    if (missUntil !== undefined && missUntil > now) return null;
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const lookup = this.lookup(prefix, hash, now).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, lookup);
    return lookup;
  }

  private async lookup(prefix: string, hash: string, now: number): Promise<Principal | null> {
    const row = await findActiveKeyByPrefix(this.pool, prefix);
    if (!row || !constantTimeEqual(row.key_hash, hash)) {
      this.hits.delete(hash);
      if (this.options.missTtlMs > 0) remember(this.misses, hash, now + this.options.missTtlMs, this.maxEntries);
      return null;
    }
    this.misses.delete(hash);
    const principal: Principal = { kind: 'api_key', id: row.id, scopes: row.scopes };
    if (this.options.cacheTtlMs > 0) remember(this.hits, hash, { principal, until: now + this.options.cacheTtlMs }, this.maxEntries);
    return principal;
  }

  /** Forgets a key at once in this process (called when it is revoked here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.hits) if (entry.principal.id === keyId) this.hits.delete(hash);
  }
}

/** Sets `key` as the newest entry, first dropping the oldest entries beyond `max` (a Map iterates in insertion order). */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  while (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
