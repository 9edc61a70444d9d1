import { type Account, type Asset, Keypair, Operation, TransactionBuilder, type xdr } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { Sealer, SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce, type SubmitOutcome } from '../stellar/submitter';
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
 * The operations that create `account` with 0 XLM and a USDC trustline, every reserve sponsored by the transaction's
 * source (the platform): signed by the platform and the account. Wallets and on-ramp merchants are made this way.
 */
export function sponsoredUsdcAccount(account: string, usdc: Asset): xdr.Operation[] {
  return [
    Operation.beginSponsoringFutureReserves({ sponsoredId: account }),
    Operation.createAccount({ destination: account, startingBalance: '0' }),
    Operation.changeTrust({ asset: usdc, source: account }),
    Operation.endSponsoringFutureReserves({ source: account }),
  ];
}

/** Submits, once per business key, the transaction of sponsoredUsdcAccount from the platform, signed by it and `account`. */
export function submitSponsoredUsdcAccount(
  deps: { pool: Pool; network: StellarNetwork },
  key: string,
  account: Keypair,
): Promise<SubmitOutcome> {
  const { platform, usdc, passphrase } = deps.network;
  return submitOnce(deps.pool, deps.network, {
    key,
    sourceAccount: platform.publicKey(),
    build: async (source: Account) => {
      const builder = new TransactionBuilder(source, { fee: await deps.network.fees.perOperation(), networkPassphrase: passphrase });
      for (const op of sponsoredUsdcAccount(account.publicKey(), usdc)) builder.addOperation(op);
      const tx = builder.setTimeout(120).build();
      signTransaction(tx, platform, account);
      return tx;
    },
  });
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
  const outcome = await submitSponsoredUsdcAccount(deps, `wallet:${userId}:activate`, user);
  if (outcome.status === 'FAILED') {
    const codes = JSON.stringify(outcome.codes);
    throw new WalletActivationRefused(`activation of ${user.publicKey()} failed: ${codes}`, codes);
  }
  return markWalletActive(deps.db, userId);
}
