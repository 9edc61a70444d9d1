import { type Account, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { and, asc, eq, gt, like, ne, not, sql } from 'drizzle-orm';
import type { Pool } from 'pg';
import type { Sealer, SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { wallets } from '../db/schema';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce } from '../stellar/submitter';
import { signTransaction } from '../stellar/sign';

export type WalletRow = typeof wallets.$inferSelect;

/** Gives the user a keypair (once): the secret is sealed before it is stored. Returns the user's wallet. */
export async function ensureWallet(db: Db, box: Sealer, userId: string): Promise<WalletRow> {
  const pair = Keypair.random();
  const [created] = await db
    .insert(wallets)
    .values({ userId, publicKey: pair.publicKey(), secretSealed: box.seal(pair.secret(), userId) })
    .onConflictDoNothing({ target: wallets.userId })
    .returning();
  if (created) return created;
  const [existing] = await db.select().from(wallets).where(eq(wallets.userId, userId));
  return existing;
}

export async function findWallet(db: Db, userId: string): Promise<WalletRow | null> {
  const [row] = await db.select().from(wallets).where(eq(wallets.userId, userId));
  return row ?? null;
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

export function walletKeypair(box: SecretBox, wallet: WalletRow): Keypair {
  return Keypair.fromSecret(box.open(wallet.secretSealed, wallet.userId));
}

export class WalletActivationRefused extends Error {
  override name = 'WalletActivationRefused';
}

/**
 * Creates the user's account on chain with every reserve sponsored by the platform and a USDC trustline, in one
 * transaction signed by the platform and the user: the user never needs XLM. Exactly once per user.
 */
export async function activateWallet(
  deps: { db: Db; pool: Pool; network: StellarNetwork; box: SecretBox },
  userId: string,
): Promise<WalletRow> {
  const wallet = await findWallet(deps.db, userId);
  if (!wallet) throw new WalletActivationRefused(`user ${userId} has no wallet`);
  if (wallet.status === 'ACTIVE') return wallet;
  const user = walletKeypair(deps.box, wallet);
  const { platform, usdc, passphrase } = deps.network;
  const outcome = await submitOnce(deps.pool, deps.network, {
    key: `wallet:${userId}:activate`,
    sourceAccount: platform.publicKey(),
    build: (source: Account) => {
      const tx = new TransactionBuilder(source, { fee: '100', networkPassphrase: passphrase })
        .addOperation(Operation.beginSponsoringFutureReserves({ sponsoredId: user.publicKey() }))
        .addOperation(Operation.createAccount({ destination: user.publicKey(), startingBalance: '0' }))
        .addOperation(Operation.changeTrust({ asset: usdc, source: user.publicKey() }))
        .addOperation(Operation.endSponsoringFutureReserves({ source: user.publicKey() }))
        .setTimeout(120)
        .build();
      signTransaction(tx, platform, user);
      return tx;
    },
  });
  if (outcome.status === 'FAILED') {
    throw new WalletActivationRefused(`activation of ${user.publicKey()} failed: ${JSON.stringify(outcome.codes)}`);
  }
  const [active] = await deps.db
    .update(wallets)
    .set({ status: 'ACTIVE', activatedAt: sql`now()` })
    .where(eq(wallets.userId, userId))
    .returning();
  return active;
}

/** Activation gave up: the wallet shows FAILED (unless it became ACTIVE meanwhile) until an activation succeeds. */
export async function markWalletFailed(db: Db, userId: string): Promise<WalletRow | null> {
  const [row] = await db
    .update(wallets)
    .set({ status: 'FAILED' })
    .where(and(eq(wallets.userId, userId), ne(wallets.status, 'ACTIVE')))
    .returning();
  return row ?? null;
}
