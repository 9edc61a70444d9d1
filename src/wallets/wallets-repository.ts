import { and, asc, eq, gt, inArray, like, ne, not, sql } from 'drizzle-orm';
import type { Pool, PoolClient } from 'pg';
import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../db/client';
import type { EventType } from '../events/catalog';
import { insertEvent } from '../events/events-repository';
import { shownWalletError } from './last-error';
import { wallets } from '../db/schema';

export type WalletRow = typeof wallets.$inferSelect;

/** Stores the user's wallet (its secret already sealed); null when the user has one already (the new one is dropped). */
export async function insertWallet(db: Db, w: { userId: string; publicKey: string; secretSealed: string }): Promise<WalletRow | null> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(wallets).values(w).onConflictDoNothing({ target: wallets.userId }).returning();
    if (created) await emitWalletEvent(tx, 'wallet.created', created, `wallet.created:${created.userId}`);
    return created ?? null;
  });
}

/**
 * The wallet as wallet.* events carry it and GET /users/{id}/wallet/deposit shows it (without the deployment's constants,
 * asset and network): the deposit address only once the account is ACTIVE and can receive, the last activation error
 * until then.
 */
export function renderWallet(w: WalletRow) {
  const active = w.status === 'ACTIVE';
  return {
    user_id: w.userId,
    address: active ? w.publicKey : null,
    status: w.status,
    last_error: active ? null : shownWalletError(w.lastError),
    created_at: w.createdAt.toISOString(),
    activated_at: w.activatedAt?.toISOString() ?? null,
  };
}

async function emitWalletEvent(tx: Tx, type: EventType, w: WalletRow, dedupeKey: string): Promise<void> {
  await insertEvent(tx, { dedupeKey, type, resourceId: w.userId, userIds: [w.userId], data: renderWallet(w) });
}

export async function findWallet(db: Db, userId: string): Promise<WalletRow | null> {
  const [row] = await db.select().from(wallets).where(eq(wallets.userId, userId));
  return row ?? null;
}

/** The wallet's account exists on chain: ACTIVE, with its activation time. */
export async function markWalletActive(db: Db, userId: string): Promise<WalletRow> {
  return db.transaction(async (tx) => {
    const [active] = await tx
      .update(wallets)
      .set({ status: 'ACTIVE', activatedAt: sql`now()`, lastError: null })
      .where(and(eq(wallets.userId, userId), ne(wallets.status, 'ACTIVE')))
      .returning();
    if (!active) return (await tx.select().from(wallets).where(eq(wallets.userId, userId)))[0];
    await emitWalletEvent(tx, 'wallet.activated', active, `wallet.activated:${userId}`);
    return active;
  });
}

/** The wallets' accounts exist on chain (activated together, in one transaction): ACTIVE, with their activation time. */
export async function markWalletsActive(db: Db, userIds: string[]): Promise<WalletRow[]> {
  return db.transaction(async (tx) => {
    const activated = await tx
      .update(wallets)
      .set({ status: 'ACTIVE', activatedAt: sql`coalesce(${wallets.activatedAt}, now())`, lastError: null })
      .where(and(inArray(wallets.userId, userIds), ne(wallets.status, 'ACTIVE')))
      .returning();
    // The events last (events-repository's ordering lock is held until commit).
    for (const w of activated) await emitWalletEvent(tx, 'wallet.activated', w, `wallet.activated:${w.userId}`);
    return tx.select().from(wallets).where(inArray(wallets.userId, userIds));
  });
}

/** The owners of the wallets among `publicKeys`: public key → user id (keys of no wallet of ours are absent). */
export async function walletOwners(q: Pool | PoolClient, publicKeys: string[]): Promise<Map<string, string>> {
  const { rows } = await q.query<{ user_id: string; public_key: string }>(
    'SELECT user_id, public_key FROM wallets WHERE public_key = ANY($1)',
    [publicKeys],
  );
  return new Map(rows.map((o) => [o.public_key, o.user_id]));
}

/** An active wallet and what the ledger says its owner holds on Stellar (minor units, decimal string). */
export interface WalletCustody {
  user_id: string;
  public_key: string;
  /** USD available + reserved + in-flight withdrawals. */
  ledger: string;
}

/** Every active wallet (or those of `userIds`) with its owner's custody on the ledger, by user id. */
export async function listWalletCustody(pool: Pool, userIds?: string[]): Promise<WalletCustody[]> {
  const { rows } = await pool.query<WalletCustody>(
    `SELECT w.user_id, w.public_key,
            coalesce(sum(a.balance) FILTER (WHERE a.currency = 'USD' AND a.bucket IN ('available', 'reserved', 'withdrawing')), 0)::text AS ledger
       FROM wallets w LEFT JOIN ledger_accounts a ON a.user_id = w.user_id
      WHERE w.status = 'ACTIVE' AND ($1::text[] IS NULL OR w.user_id = ANY($1))
      GROUP BY w.user_id, w.public_key ORDER BY w.user_id`,
    [userIds ?? null],
  );
  return rows;
}

/** Up to `limit` wallets after `afterUserId` (in user id order) whose secret is not sealed as `prefix` (e.g. `v2.k2.`). */
export async function walletsNotSealedAs(db: Db, prefix: string, afterUserId: string, limit: number): Promise<WalletRow[]> {
  return db
    .select()
    .from(wallets)
    .where(and(gt(wallets.userId, afterUserId), not(like(wallets.secretSealed, `${prefix}%`))))
    .orderBy(asc(wallets.userId))
    .limit(limit);
}

/** Replaces a wallet's sealed secret if it is still `previous` (a concurrent re-seal wins once); true when replaced. */
export async function replaceSealedSecret(db: Db, userId: string, previous: string, next: string): Promise<boolean> {
  const updated = await db
    .update(wallets)
    .set({ secretSealed: next })
    .where(and(eq(wallets.userId, userId), eq(wallets.secretSealed, previous)))
    .returning({ userId: wallets.userId });
  return updated.length === 1;
}

/** Why the wallet's last activation attempt did not complete (kept until it is ACTIVE). */
export async function recordWalletError(db: Db, userId: string, error: string): Promise<void> {
  await db
    .update(wallets)
    .set({ lastError: error.slice(0, 500) })
    .where(and(eq(wallets.userId, userId), ne(wallets.status, 'ACTIVE')));
}

/** Activation gave up: the wallet shows FAILED (unless it became ACTIVE meanwhile) until an activation succeeds. */
export async function markWalletFailed(db: Db, userId: string): Promise<WalletRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(wallets)
      .set({ status: 'FAILED' })
      .where(and(eq(wallets.userId, userId), eq(wallets.status, 'PENDING')))
      .returning();
    if (row) {
      // A wallet may fail, be retried and fail again: each time is an event.
      await emitWalletEvent(tx, 'wallet.failed', row, `wallet.failed:${userId}:${randomUUID()}`);
      return row;
    }
    const [current] = await tx.select().from(wallets).where(eq(wallets.userId, userId));
    return current?.status === 'FAILED' ? current : null;
  });
}
