import { type Account, FeeBumpTransaction, type Transaction, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool, PoolClient } from 'pg';
import { withTimeout } from '../async';
import { FeeAboveCapError, feeBumpRate, innerRate } from './fee-policy';
import { classifySubmitError, isHorizonNotFound, type ResultCodes } from './horizon-errors';
import { signTransaction } from './sign';
import type { StellarNetwork } from './network';
import {
  deletePending,
  findTransaction,
  finishAndUnlock,
  insertPending,
  lockAccount,
  type StoredTransaction,
  unlockAccount,
} from './stellar-transactions-repository';

export interface SubmitRequest {
  /** Business key of this payment or action, e.g. `withdrawal:wd_1:payment`; one signed transaction per key. */
  key: string;
  /** The account whose sequence number the transaction consumes; submissions for one account are serialised. */
  sourceAccount: string;
  /**
   * Builds and signs the transaction on the account as Horizon reports it now (or fetches one built elsewhere, e.g.
   * by Trustless Work, and signs it). Called again only when the stored envelope can provably never apply.
   */
  build(source: Account): Transaction | FeeBumpTransaction | Promise<Transaction | FeeBumpTransaction>;
}

export type SubmitOutcome = (
  { status: 'SUCCEEDED'; hash: string; ledger: number | null } | { status: 'FAILED'; hash: string; codes: ResultCodes }
) & {
  /** The signed envelope that was submitted (what a caller needs to know exactly what went on chain). */
  envelopeXdr: string;
};

/** A fault that leaves the stored envelope valid: the next attempt resubmits it (retryable). */
export class StellarTransientError extends Error {
  override name = 'StellarTransientError';
}

const MAX_REBUILDS = 5;

/**
 * Submits the transaction for `key` exactly once. The signed envelope and its hash are stored before the first
 * submission; a retry (after a timeout or a crash) first asks Horizon whether that hash is in a ledger, then resubmits
 * the same envelope. Only when Horizon proves the stored envelope can never apply (bad sequence, expired) is a new one
 * built. Terminal outcomes are stored and returned again on every later call.
 */
export async function submitOnce(pool: Pool, network: StellarNetwork, req: SubmitRequest): Promise<SubmitOutcome> {
  const client = await pool.connect();
  const lock = `stellar-seq:${req.sourceAccount}`;
  let locked = false;
  /** Stores a terminal outcome and releases the account's lock in the same round trip. */
  const finish = async (key: string, outcome: SubmitOutcome): Promise<SubmitOutcome> => {
    await finishAndUnlock(
      client,
      key,
      {
        status: outcome.status,
        resultCodes: outcome.status === 'FAILED' ? outcome.codes : null,
        ledger: outcome.status === 'SUCCEEDED' ? outcome.ledger : null,
      },
      lock,
    );
    locked = false;
    return outcome;
  };
  try {
    await lockAccount(client, lock);
    locked = true;
    for (let rebuild = 0; rebuild <= MAX_REBUILDS; rebuild++) {
      let row = await findTransaction(client, req.key);
      if (row && row.status !== 'PENDING') return outcomeOf(row);
      if (row) {
        const onChain = await findOnChain(network, row.hash);
        if (onChain) {
          return await finish(req.key, {
            ...(onChain.successful
              ? { status: 'SUCCEEDED', hash: row.hash, ledger: onChain.ledger }
              : { status: 'FAILED', hash: row.hash, codes: { transaction: 'tx_failed' } }),
            envelopeXdr: row.envelope_xdr,
          });
        }
      } else {
        row = await store(client, req, await req.build(await network.horizon.loadAccount(req.sourceAccount)));
      }
      const tx = TransactionBuilder.fromXDR(row.envelope_xdr, network.passphrase);
      // SEP-29's memo check belongs to whoever builds a payment, before its envelope exists (pay-out.ts): a stored
      // envelope is resubmitted as it is, so a verdict can never change between a submission and its retry.
      try {
        const res = await withTimeout(
          network.horizon.submitTransaction(tx, { skipMemoRequiredCheck: true }),
          network.submitTimeoutMs,
          'transaction submission',
        );
        return await finish(req.key, { status: 'SUCCEEDED', hash: row.hash, ledger: res.ledger ?? null, envelopeXdr: row.envelope_xdr });
      } catch (err) {
        const verdict = classifySubmitError(err);
        if (verdict.kind === 'transient') throw new StellarTransientError(`submission of ${req.key} did not complete: ${verdict.reason}`);
        if (verdict.kind === 'not_applied_resubmittable') {
          await deletePending(client, req.key);
          continue;
        }
        if (verdict.kind === 'insufficient_fee') {
          await bidHigher(client, network, req, tx);
          continue;
        }
        return await finish(req.key, { status: 'FAILED', hash: row.hash, codes: verdict.codes, envelopeXdr: row.envelope_xdr });
      }
    }
    throw new StellarTransientError(`could not get a current sequence for ${req.key} after ${MAX_REBUILDS} rebuilds`);
  } finally {
    // Every `return finish(…)` above is awaited: unawaited, this block would run while its unlock is still queued,
    // unlock a second time, and PostgreSQL would warn "you don't own a lock of type ExclusiveLock".
    if (locked) await unlockAccount(client, lock).catch(() => undefined);
    client.release();
  }
}

/**
 * The network refused the bid (`tx_insufficient_fee`: never applied, nothing charged, sequence untouched). A fee bump
 * of the platform's is rebuilt, bidding more, around the SAME signed inner transaction (the user's signature and the
 * business content stay as they were); anything else is rebuilt by its builder at the policy's fresh bid. The bid never
 * goes above STELLAR_MAX_FEE_STROOPS: a network asking more is a transient fault (retried later, nothing paid).
 */
async function bidHigher(client: PoolClient, network: StellarNetwork, req: SubmitRequest, refused: Transaction | FeeBumpTransaction) {
  network.fees.invalidate();
  const cap = network.fees.maxFee;
  let fresh: number;
  try {
    fresh = Number(await network.fees.perOperation());
  } catch (err) {
    if (err instanceof FeeAboveCapError) throw new StellarTransientError(`the fee of ${req.key} was refused as too low: ${err.message}`);
    throw err;
  }
  if (refused instanceof FeeBumpTransaction && refused.feeSource === network.platform.publicKey()) {
    const inner = refused.innerTransaction;
    const previous = feeBumpRate(refused);
    if (previous >= cap) {
      throw new StellarTransientError(
        `the fee of ${req.key} was refused at ${previous} stroops per operation, the cap STELLAR_MAX_FEE_STROOPS`,
      );
    }
    const bid = Math.min(cap, Math.max(fresh, previous * 2));
    const bumped = TransactionBuilder.buildFeeBumpTransaction(network.platform, String(bid), inner, network.passphrase);
    signTransaction(bumped, network.platform);
    await deletePending(client, req.key);
    await store(client, req, bumped);
    return;
  }
  const tx = refused instanceof FeeBumpTransaction ? refused.innerTransaction : refused;
  const previous = innerRate(tx);
  if (previous >= cap) {
    throw new StellarTransientError(
      `the fee of ${req.key} was refused at ${previous} stroops per operation, the cap STELLAR_MAX_FEE_STROOPS`,
    );
  }
  await deletePending(client, req.key);
}

async function store(client: PoolClient, req: SubmitRequest, tx: Transaction | FeeBumpTransaction): Promise<StoredTransaction> {
  const row: StoredTransaction = {
    hash: tx.hash().toString('hex'),
    envelope_xdr: tx.toXDR(),
    status: 'PENDING',
    result_codes: null,
    ledger: null,
  };
  await insertPending(client, { key: req.key, hash: row.hash, sourceAccount: req.sourceAccount, envelopeXdr: row.envelope_xdr });
  return row;
}

function outcomeOf(row: StoredTransaction): SubmitOutcome {
  return row.status === 'SUCCEEDED'
    ? { status: 'SUCCEEDED', hash: row.hash, ledger: row.ledger, envelopeXdr: row.envelope_xdr }
    : { status: 'FAILED', hash: row.hash, codes: row.result_codes ?? { transaction: 'unknown' }, envelopeXdr: row.envelope_xdr };
}

async function findOnChain(network: StellarNetwork, hash: string): Promise<{ successful: boolean; ledger: number } | null> {
  try {
    const tx = await withTimeout(network.horizon.transactions().transaction(hash).call(), network.submitTimeoutMs, 'transaction lookup');
    return { successful: tx.successful, ledger: tx.ledger_attr };
  } catch (err) {
    if (isHorizonNotFound(err)) return null;
    throw new StellarTransientError(`could not look up ${hash}: ${(err as Error).message}`);
  }
}
