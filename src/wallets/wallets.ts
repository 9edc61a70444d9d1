import { type Account, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { Sealer, SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce } from '../stellar/submitter';
import { signTransaction } from '../stellar/sign';
import { WalletActivationRefused } from './activation-refused';
import { findWallet, insertWallet, markWalletActive, type WalletRow } from './wallets-repository';

/** Gives the user a keypair (once): the secret is sealed before it is stored. Returns the user's wallet. */
export async function ensureWallet(db: Db, box: Sealer, userId: string): Promise<WalletRow> {
  const pair = Keypair.random();
  const created = await insertWallet(db, { userId, publicKey: pair.publicKey(), secretSealed: box.seal(pair.secret(), userId) });
  return created ?? (await findWallet(db, userId))!;
}

export function walletKeypair(box: SecretBox, wallet: WalletRow): Keypair {
  return Keypair.fromSecret(box.open(wallet.secretSealed, wallet.userId));
}

export { WalletActivationRefused };

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
    build: async (source: Account) => {
      const tx = new TransactionBuilder(source, { fee: await deps.network.fees.perOperation(), networkPassphrase: passphrase })
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
    const codes = JSON.stringify(outcome.codes);
    throw new WalletActivationRefused(`activation of ${user.publicKey()} failed: ${codes}`, codes);
  }
  return markWalletActive(deps.db, userId);
}
