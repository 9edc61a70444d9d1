import type { Pool } from 'pg';
import { constantTimeEqual, digest, matchesDigest, sha256Hex } from '../crypto/hashing';
import type { Scope } from './api-keys';
import { lookupPrefix } from './api-keys';
import { findActiveKeyByPrefix } from './api-keys-repository';

export type Principal = { kind: 'master'; id: 'master' } | { kind: 'api_key'; id: string; scopes: Scope[] };

/**
 * Resolves bearer tokens to principals. Keys are found by their prefix and their hash compared in constant time.
 * A verified key is remembered for `cacheTtlMs` (keyed by the token's hash, never the token), so most requests
 * need no database round trip; a revocation through this process forgets it at once, and other API processes
 * stop accepting a revoked key within `cacheTtlMs`.
 */
export class Authenticator {
  private readonly masterDigest: Buffer;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly pool: Pool,
    masterKey: string,
    private readonly cacheTtlMs: number,
  ) {
    this.masterDigest = digest(masterKey);
  }

  async authenticate(token: string, now = Date.now()): Promise<Principal | null> {
    if (matchesDigest(token, this.masterDigest)) return { kind: 'master', id: 'master' };
    const prefix = lookupPrefix(token);
    if (!prefix) return null;
    const hash = sha256Hex(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const row = await findActiveKeyByPrefix(this.pool, prefix);
    if (!row || !constantTimeEqual(row.key_hash, hash)) {
      this.cache.delete(hash);
      return null;
    }
    const principal: Principal = { kind: 'api_key', id: row.id, scopes: row.scopes };
    if (this.cacheTtlMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: now + this.cacheTtlMs });
    }
    return principal;
  }

  /** Forgets a key at once in this process (called when it is revoked here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal.id === keyId) this.cache.delete(hash);
  }
}
