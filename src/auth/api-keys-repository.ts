import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import type { Actor } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import type { Db, Tx } from '../db/client';
import { apiKeys } from '../db/schema';
import { newId } from '../ids';
import { generateApiKey, type Scope } from './api-keys';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** A key that may authenticate: not revoked. */
export interface ActiveKey {
  id: string;
  key_hash: string;
  scopes: Scope[];
}

/** The unrevoked key with this lookup prefix, or null (a prepared statement: every request without a cached key runs it). */
export async function findActiveKeyByPrefix(pool: Pool, prefix: string): Promise<ActiveKey | null> {
  const { rows } = await pool.query<ActiveKey>({
    name: 'find_api_key',
    text: 'SELECT id, key_hash, scopes FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL',
    values: [prefix],
  });
  return rows[0] ?? null;
}

/** Stores a new key (only its hash) with its audit entry, and returns it: the key itself is shown once, to the caller. */
export async function createApiKey(db: Db, input: { name: string; scopes: Scope[] }, by: Actor): Promise<{ row: ApiKeyRow; key: string }> {
  const { key, prefix, hash } = generateApiKey();
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(apiKeys)
      .values({ id: newId('key'), name: input.name, prefix, keyHash: hash, scopes: [...new Set(input.scopes)] })
      .returning();
    await auditKey(tx, created, 'api_key.create', null, by);
    return created;
  });
  return { row, key };
}

/** A key's change in the audit log: its name, prefix (not a secret) and scopes, never its hash. */
async function auditKey(tx: Tx, k: ApiKeyRow, action: string, before: string | null, by: Actor): Promise<void> {
  await recordAudit(tx, {
    dedupeKey: `${action}:${k.id}`,
    actor: by,
    action,
    resourceType: 'api_key',
    resourceId: k.id,
    statusBefore: before,
    statusAfter: k.revokedAt ? 'REVOKED' : 'ACTIVE',
    details: { name: k.name, prefix: k.prefix, scopes: k.scopes },
  });
}

export async function listApiKeys(db: Db, page: { limit: number; before?: string }): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(page.before ? lt(apiKeys.id, page.before) : undefined)
    .orderBy(desc(apiKeys.id))
    .limit(page.limit + 1);
}

/**
 * Revokes a key, with its audit entry; revoking a revoked key keeps its first revocation time (and records nothing).
 * Returns null when no such key exists.
 */
export async function revokeApiKey(db: Db, id: string, by: Actor): Promise<ApiKeyRow | null> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (updated) {
      await auditKey(tx, updated, 'api_key.revoke', 'ACTIVE', by);
      return updated;
    }
    const [existing] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
    return existing ?? null;
  });
}
