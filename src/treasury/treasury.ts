import crypto from 'node:crypto';
import { type Keypair as KeypairType, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { createDatabase } from '../db/client';
import { createStellarNetwork } from '../stellar/network';
import { parseAmount } from '../money';
import { isHorizonNotFound } from '../stellar/horizon-errors';
import type { StellarNetwork } from '../stellar/network';
import { signTransaction } from '../stellar/sign';
import { StellarTransientError, submitOnce } from '../stellar/submitter';

/**
 * The platform's treasury on Stellar: the USDC float that puts money topped up through Airtm on chain. A top-up is paid
 * into the platform's Airtm balance, not onto Stellar; once it is credited, the treasury pays the same amount of USDC
 * into the user's wallet, so the user's balance is backed on chain exactly like a deposit's and funds an escrow the
 * same way. The treasury is refilled from the Airtm enterprise balance (docs/airtm.md, "Treasury").
 *
 * Its key is derived from the platform's secret (as the channels' are): nothing more to store, every worker derives the
 * same one. The platform sponsors its reserves and pays its fees (fee bumps), so it holds no lumen, only USDC.
 */
export function treasuryKeypair(platform: KeypairType): KeypairType {
  return Keypair.fromRawEd25519Seed(crypto.createHmac('sha256', platform.rawSecretKey()).update('offerhub:treasury').digest());
}

/** The treasury's account id, or null in a process that holds only the platform's public key (the API). */
export function treasuryAddress(platform: KeypairType): string | null {
  return platform.canSign() ? treasuryKeypair(platform).publicKey() : null;
}

/** The treasury's USDC on chain, in minor units; null when its account does not exist yet. */
export async function treasuryFloat(network: StellarNetwork, treasury: string): Promise<bigint | null> {
  try {
    const account = await network.horizon.loadAccount(treasury);
    const line = account.balances.find(
      (b) => b.asset_type === 'credit_alphanum4' && b.asset_code === network.usdc.code && b.asset_issuer === network.usdc.issuer,
    );
    return line ? parseAmount(line.balance, { allowZero: true }) : 0n;
  } catch (err) {
    if (isHorizonNotFound(err)) return null;
    throw new StellarTransientError(`could not read the treasury ${treasury}: ${(err as Error).message}`);
  }
}

/** Creates the treasury account (sponsored by the platform, 0 XLM) with its USDC trustline, once. */
export async function ensureTreasury(pool: Pool, network: StellarNetwork, treasury: KeypairType): Promise<void> {
  if ((await treasuryFloat(network, treasury.publicKey())) !== null) return;
  const { platform, passphrase, usdc } = network;
  const outcome = await submitOnce(pool, network, {
    key: `treasury:${network.tag}:create`,
    sourceAccount: platform.publicKey(),
    build: async (source) => {
      const tx = new TransactionBuilder(source, { fee: await network.fees.perOperation(), networkPassphrase: passphrase })
        .addOperation(Operation.beginSponsoringFutureReserves({ sponsoredId: treasury.publicKey() }))
        .addOperation(Operation.createAccount({ destination: treasury.publicKey(), startingBalance: '0' }))
        .addOperation(Operation.changeTrust({ asset: usdc, source: treasury.publicKey() }))
        .addOperation(Operation.endSponsoringFutureReserves({ source: treasury.publicKey() }))
        .setTimeout(120)
        .build();
      signTransaction(tx, platform, treasury);
      return tx;
    },
  });
  if (outcome.status === 'FAILED') throw new Error(`the treasury account could not be created: ${JSON.stringify(outcome.codes)}`);
}

/**
 * For the stacks that set the treasury up (npm start, the tests): creates the treasury of the platform `config` names,
 * over a connection of its own, and answers its address and float.
 */
export async function prepareTreasury(config: Config): Promise<{ address: string; float: bigint }> {
  const network = createStellarNetwork(config);
  const treasury = treasuryKeypair(network.platform);
  const database = createDatabase(config.DATABASE_URL, 2);
  try {
    await ensureTreasury(database.pool, network, treasury);
  } finally {
    await database.close();
  }
  return { address: treasury.publicKey(), float: (await treasuryFloat(network, treasury.publicKey())) ?? 0n };
}
