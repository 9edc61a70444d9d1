import { hash, type Keypair, StrKey, type Transaction, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { AppError } from '../errors';
import { TrustlessWorkRefusal, type Unsigned } from '../providers/trustless-work/client';
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
  /** Asks Trustless Work for the unsigned transaction (again only if a stored one can never apply). */
  fetchUnsigned(): Promise<Unsigned>;
}

/**
 * One escrow contract call: Trustless Work builds it, we verify and sign it with the role's key, and it is
 * submitted through the exactly-once submitter (envelope stored before the first submission, looked up by hash on
 * retry). User wallets hold no XLM, so their calls travel inside a fee bump paid by the platform.
 *
 * Errors: a refusal (Trustless Work's 4xx, a transaction we will not sign, a transaction the network failed) is an
 * AppError `PROVIDER_ERROR`; anything else is transient and worth retrying.
 */
export async function submitEscrowCall(
  deps: { pool: Pool; network: StellarNetwork },
  call: EscrowCall,
): Promise<{ hash: string; envelopeXdr: string }> {
  const { network } = deps;
  const source = call.signer.publicKey();
  const outcome = await submitOnce(deps.pool, network, {
    key: call.key,
    sourceAccount: source,
    build: async () => {
      const unsigned = await call.fetchUnsigned().catch(providerError);
      let tx: Transaction;
      try {
        tx = verifyUnsigned(unsigned.unsignedTransaction, { ...call.expect, passphrase: network.passphrase, source });
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
  return { hash: outcome.hash, envelopeXdr: outcome.envelopeXdr };
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
 * The id of the contract a deployment creates, from its own envelope (Soroban derives it from the network, the
 * deployer and the salt), so it is known exactly even when the answer to the submission was lost.
 */
export function deployedContractId(envelopeXdr: string, passphrase: string): string {
  const decoded = TransactionBuilder.fromXDR(envelopeXdr, passphrase);
  const tx = 'innerTransaction' in decoded ? decoded.innerTransaction : decoded;
  const op = tx.toEnvelope().v1().tx().operations()[0];
  const fn = op.body().invokeHostFunctionOp().hostFunction();
  const preimage =
    fn.switch().name === 'hostFunctionTypeCreateContractV2'
      ? fn.createContractV2().contractIdPreimage()
      : fn.createContract().contractIdPreimage();
  const id = xdr.HashIdPreimage.envelopeTypeContractId(
    new xdr.HashIdPreimageContractId({ networkId: hash(Buffer.from(passphrase)), contractIdPreimage: preimage }),
  );
  return StrKey.encodeContract(hash(id.toXDR()));
}
