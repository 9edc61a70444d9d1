import { Address, type Keypair, type Transaction, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { AppError } from '../errors';
import { type TrustlessWorkClient, TrustlessWorkRefusal, type Unsigned } from '../providers/trustless-work/client';
import { type ExpectedCall, UnsafeTransactionError, verifyUnsigned } from '../providers/trustless-work/verify';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce } from '../stellar/submitter';
import { signTransaction } from '../stellar/sign';

export interface EscrowCall {
  /** Business key: one signed transaction per key, submitted exactly once (`order:<id>:fund`, …). */
  key: string;
  /** The role's key: the transaction's source and signer. */
  signer: Keypair;
  /** What Trustless Work must hand back for us to sign it. */
  expect: Omit<ExpectedCall, 'passphrase' | 'source'>;
  /**
   * Asks Trustless Work for the unsigned transaction (again only if a stored one can never apply). A deployment's
   * answer carries the predicted contract id, which the verification requires to be the one the call creates.
   */
  fetchUnsigned(): Promise<Unsigned & { contractId?: string }>;
}

/**
 * One escrow contract call: Trustless Work builds it, we verify and sign it with the role's key, and it is
 * submitted through the exactly-once submitter (envelope stored before the first submission, looked up by hash on
 * retry). User wallets hold no XLM, so their calls travel inside a fee bump paid by the platform. Because the
 * transaction does not go through Trustless Work's send-transaction, its indexer is then told about it
 * (`/indexer/update-from-txHash`); `indexed` says whether it took it in.
 *
 * Errors: a refusal (Trustless Work's 4xx, a transaction we will not sign, a transaction the network failed) is an
 * AppError `PROVIDER_ERROR`; anything else is transient and worth retrying.
 */
export async function submitEscrowCall(
  deps: { pool: Pool; network: StellarNetwork; tw: TrustlessWorkClient },
  call: EscrowCall,
): Promise<{ hash: string; envelopeXdr: string; indexed: boolean }> {
  const { network } = deps;
  const source = call.signer.publicKey();
  const outcome = await submitOnce(deps.pool, network, {
    key: call.key,
    sourceAccount: source,
    build: async () => {
      const unsigned = await call.fetchUnsigned().catch(providerError);
      let tx: Transaction;
      try {
        const expect =
          'deploy' in call.expect.call
            ? { ...call.expect, call: { deploy: { ...call.expect.call.deploy, contractId: unsigned.contractId } } }
            : call.expect;
        tx = verifyUnsigned(unsigned.unsignedXdr, { ...expect, passphrase: network.passphrase, source });
      } catch (err) {
        if (err instanceof UnsafeTransactionError)
          throw new AppError('PROVIDER_ERROR', `Trustless Work returned a transaction we will not sign: ${err.message}`, {
            provider: 'trustless_work',
            step: call.key,
          });
        throw err;
      }
      signTransaction(tx, call.signer);
      if (source === network.platform.publicKey()) return tx;
      const bumped = TransactionBuilder.buildFeeBumpTransaction(
        network.platform,
        await network.fees.feeBumpPerOperation(tx),
        tx,
        network.passphrase,
      );
      signTransaction(bumped, network.platform);
      return bumped;
    },
  });
  if (outcome.status === 'FAILED') {
    throw new AppError('PROVIDER_ERROR', `the escrow contract call ${call.key} failed on the Stellar network`, {
      provider: 'stellar',
      step: call.key,
      tx_hash: outcome.hash,
      result_codes: outcome.codes,
    });
  }
  // A refusal to index is reported, not thrown: the call itself is done on chain (only a deployment needs the
  // indexer to know it, and checks `indexed`). An unreachable indexer is retried with the step (idempotent).
  const notified = await deps.tw.updateFromTxHash(outcome.hash).catch((err: unknown) => {
    if (err instanceof TrustlessWorkRefusal) return { status: 'FAILED' as const, message: err.message };
    throw err;
  });
  return { hash: outcome.hash, envelopeXdr: outcome.envelopeXdr, indexed: notified.status === 'SUCCESS' };
}

/** Trustless Work's refusal is final (PROVIDER_ERROR); anything else (TrustlessWorkUnavailable, …) is retried. */
function providerError(err: unknown): never {
  if (err instanceof TrustlessWorkRefusal)
    throw new AppError('PROVIDER_ERROR', `Trustless Work refused: ${err.message}`, {
      provider: 'trustless_work',
      status: err.status,
      ...(err.code ? { code: err.code, known_code: err.knownCode } : {}),
    });
  throw err;
}

/**
 * The contract a successful host-function call returned, as the network reports it (the Soroban meta's return
 * value of the transaction `hash`): for a factory deployment, the new escrow's address. Null when it returned none.
 */
export async function returnedAddress(network: StellarNetwork, hash: string): Promise<string | null> {
  const record = await network.horizon.transactions().transaction(hash).call();
  const meta = xdr.TransactionMeta.fromXDR(record.result_meta_xdr, 'base64');
  let value: xdr.ScVal | undefined;
  if (meta.switch() === 3) value = meta.v3().sorobanMeta()?.returnValue();
  else if (meta.switch() === 4) value = meta.v4().sorobanMeta()?.returnValue() ?? undefined;
  if (!value || value.switch().name !== 'scvAddress') return null;
  return Address.fromScVal(value).toString();
}
