import crypto from 'node:crypto';
import { Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { isHorizonNotFound } from '../stellar/horizon-errors';
import type { StellarNetwork } from '../stellar/network';
import { signTransaction } from '../stellar/sign';
import { StellarTransientError, submitOnce } from '../stellar/submitter';

/**
 * Channel accounts: accounts of the platform's whose only use is their sequence number. stellar-core admits one
 * transaction per source account into a ledger (src/herder/TransactionQueue.cpp), so N channels let N transactions of
 * the platform's into each ledger; the platform sponsors their reserves and pays their fees through fee bumps (the fee
 * source does not count for that rule), so a channel holds no lumen. Their keys are derived from the platform's secret:
 * nothing more to store or back up, and every worker derives the same ones.
 */
export function channelKeypairs(platform: Keypair, count: number): Keypair[] {
  return Array.from({ length: count }, (_, i) =>
    Keypair.fromRawEd25519Seed(crypto.createHmac('sha256', platform.rawSecretKey()).update(`offerhub:channel:${i}`).digest()),
  );
}

async function exists(network: StellarNetwork, id: string): Promise<boolean> {
  try {
    await network.horizon.loadAccount(id);
    return true;
  } catch (err) {
    if (isHorizonNotFound(err)) return false;
    throw new StellarTransientError(`could not look up channel ${id}: ${(err as Error).message}`);
  }
}

/**
 * Creates the channels not on chain yet, in one transaction of the platform's (sponsored, 0 XLM), exactly once per set
 * of missing channels (submitOnce's key names them).
 */
export async function ensureChannels(pool: Pool, network: StellarNetwork, channels: Keypair[]): Promise<void> {
  const missing: Keypair[] = [];
  for (const c of channels) if (!(await exists(network, c.publicKey()))) missing.push(c);
  if (missing.length === 0) return;
  const { platform, passphrase } = network;
  const digest = crypto
    .createHash('sha256')
    .update(missing.map((c) => c.publicKey()).join(','))
    .digest('hex')
    .slice(0, 16);
  const outcome = await submitOnce(pool, network, {
    key: `wallet-channels:${digest}:create`,
    sourceAccount: platform.publicKey(),
    build: async (source) => {
      const builder = new TransactionBuilder(source, { fee: await network.fees.perOperation(), networkPassphrase: passphrase });
      for (const c of missing) {
        builder
          .addOperation(Operation.beginSponsoringFutureReserves({ sponsoredId: c.publicKey() }))
          .addOperation(Operation.createAccount({ destination: c.publicKey(), startingBalance: '0' }))
          .addOperation(Operation.endSponsoringFutureReserves({ source: c.publicKey() }));
      }
      const tx = builder.setTimeout(120).build();
      signTransaction(tx, platform, ...missing);
      return tx;
    },
  });
  if (outcome.status === 'FAILED') throw new StellarTransientError(`channel accounts not created: ${JSON.stringify(outcome.codes)}`);
}
