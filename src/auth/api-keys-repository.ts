import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import type { Db } from '../db/client';
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

/** Stores a new key (only its hash) and returns it: the key itself is shown once, to the caller. */
export async function createApiKey(db: Db, input: { name: string; scopes: Scope[] }): Promise<{ row: ApiKeyRow; key: string }> {
  const { key, prefix, hash } = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ id: newId('key'), name: input.name, prefix, keyHash: hash, scopes: [...new Set(input.scopes)] })
    .returning();
  return { row, key };
}

export async function listApiKeys(db: Db, page: { limit: number; before?: string }): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(page.before ? lt(apiKeys.id, page.before) : undefined)
    .orderBy(desc(apiKeys.id))
    .limit(page.limit + 1);
}

/** Revokes a key; revoking a revoked key keeps its first revocation time. Returns null when no such key exists. */
export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyRow | null> {
  const [updated] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (updated) return updated;
  const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return existing ?? null;
}
