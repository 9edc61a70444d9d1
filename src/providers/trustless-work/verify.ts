import {
  Address,
  FeeBumpTransaction,
  type Keypair,
  type Operation,
  scValToNative,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { signTransaction } from '../../stellar/sign';

/** The provider handed back a transaction that is not the one we asked for: never sign it. */
export class UnsafeTransactionError extends Error {
  override name = 'UnsafeTransactionError';
}

export interface ExpectedCall {
  /**
   * Our network's passphrase. An unsigned envelope names no network; the binding comes from signing with ours (a
   * signature made for this network verifies on no other) and from the contract id, which is derived per network.
   */
  passphrase: string;
  /** The account that must be the transaction's (and the operation's) source: the role that signs. */
  source: string;
  /** For a contract call: the escrow contract and the function; for a deployment: `deploy`. */
  call: { contract: string; fn: string } | { deploy: true };
  /** When the call moves money: the amount (stroops) that must appear among its i128 arguments. */
  amount?: bigint;
  /** When the call pays several parties (a dispute's distributions): each address with the amount it must get. */
  payouts?: Array<{ address: string; amount: bigint }>;
}

/**
 * Decodes an unsigned transaction from Trustless Work and checks, before anything is signed, that it comes from the
 * expected account, holds exactly one host-function call, to the expected contract and function, and carries the
 * expected amount. Returns the transaction, to be signed for our network.
 */
export function verifyUnsigned(unsignedXdr: string, expected: ExpectedCall): Transaction {
  let decoded: Transaction | FeeBumpTransaction;
  try {
    decoded = TransactionBuilder.fromXDR(unsignedXdr, expected.passphrase);
  } catch {
    throw new UnsafeTransactionError('the unsigned transaction does not decode');
  }
  if (decoded instanceof FeeBumpTransaction)
    throw new UnsafeTransactionError('a fee-bump transaction was returned where a transaction was expected');
  const tx = decoded;
  if (tx.source !== expected.source)
    throw new UnsafeTransactionError(`the transaction's source is ${tx.source}, expected ${expected.source}`);
  if (tx.operations.length !== 1 || tx.operations[0].type !== 'invokeHostFunction')
    throw new UnsafeTransactionError('the transaction must hold exactly one host-function call');
  const op = tx.operations[0] as Operation.InvokeHostFunction;
  if (op.source && op.source !== expected.source) throw new UnsafeTransactionError('the operation has another source');
  const fn = op.func;
  if ('deploy' in expected.call) {
    if (fn.switch().name !== 'hostFunctionTypeCreateContractV2' && fn.switch().name !== 'hostFunctionTypeCreateContract')
      throw new UnsafeTransactionError('a deployment was expected');
    return tx;
  }
  if (fn.switch().name !== 'hostFunctionTypeInvokeContract') throw new UnsafeTransactionError('a contract call was expected');
  const invoke = fn.invokeContract();
  const contract = Address.fromScAddress(invoke.contractAddress()).toString();
  if (contract !== expected.call.contract)
    throw new UnsafeTransactionError(`the call goes to ${contract}, expected ${expected.call.contract}`);
  const name = invoke.functionName().toString();
  if (name !== expected.call.fn) throw new UnsafeTransactionError(`the call is ${name}, expected ${expected.call.fn}`);
  if (expected.amount !== undefined) {
    const amounts = invoke
      .args()
      .filter((a) => a.switch().name === 'scvI128')
      .map((a) => BigInt(scValToNative(a) as bigint));
    if (!amounts.includes(expected.amount)) throw new UnsafeTransactionError(`the call does not carry the amount ${expected.amount}`);
  }
  if (expected.payouts) {
    const maps = invoke.args().filter((a) => a.switch().name === 'scvMap');
    const paid = new Map<string, bigint>();
    for (const m of maps)
      for (const e of m.map() ?? [])
        if (e.val().switch().name === 'scvI128') paid.set(String(scValToNative(e.key())), BigInt(scValToNative(e.val()) as bigint));
    const wanted = new Map(expected.payouts.map((p) => [p.address, p.amount]));
    const same = paid.size === wanted.size && [...wanted].every(([address, amount]) => paid.get(address) === amount);
    if (!same) throw new UnsafeTransactionError('the call does not pay exactly the expected distributions');
  }
  return tx;
}

/** Verifies, then signs with the key of the role that must sign; returns the signed envelope. */
export function verifyAndSign(unsignedXdr: string, expected: ExpectedCall, signer: Keypair): string {
  if (signer.publicKey() !== expected.source) throw new UnsafeTransactionError('the signing key is not the expected source');
  const tx = verifyUnsigned(unsignedXdr, expected);
  signTransaction(tx, signer);
  return tx.toXDR();
}
