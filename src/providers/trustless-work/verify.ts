import {
  Address,
  FeeBumpTransaction,
  hash,
  type Keypair,
  type Operation,
  scValToNative,
  StrKey,
  type Transaction,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { signTransaction } from '../../stellar/sign';
import type { Roles } from './client';

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
  /** For a contract call: the escrow contract and the function; for a deployment: what the factory must be asked. */
  call: { contract: string; fn: string } | { deploy: ExpectedDeploy };
  /** When the call moves money: the amount (stroops) that must appear among its i128 arguments. */
  amount?: bigint;
  /** When the call pays several parties (a dispute's distributions): each address with the amount it must get. */
  payouts?: Array<{ address: string; amount: bigint }>;
}

/** A deployment through Trustless Work's factory (docs/trustless-work.md, "On chain: the factory deployment"). */
export interface ExpectedDeploy {
  /** The factory contract pinned for our network (TRUSTLESS_WORK_FACTORY_ID). */
  factory: string;
  roles: Roles;
  /** The escrow's amount, stroops. */
  amount: bigint;
  platformFeeBps: bigint;
  /** The token's address: the USDC Stellar Asset Contract. */
  trustline: string;
  /** The contract id Trustless Work predicted in its answer: must be the one (network, deployer, salt) gives. */
  contractId?: string;
}

/** The factory function (Trustless-Work/Indexer `internal/indexer/processors/contracts/escrow.go`). */
export const FACTORY_FN = 'tw_new_single_release_escrow';
/**
 * The function the factory calls on the new escrow with `init_args`: the escrow contract's only initializer,
 * `initialize_escrow(escrow_properties: Escrow)` (trustlesswork-smart-contract-stellar `contracts/escrow/src/contract.rs`;
 * the factory calls whatever `init_fn` it is given: `env.invoke_contract(&deployed_address, &init_fn, init_args)`).
 */
export const ESCROW_INIT_FN = 'initialize_escrow';

/** The roles' keys in the escrow map (Indexer `escrow_parser.go`), by our names. */
const ROLE_KEYS: Record<keyof Roles, string> = {
  approver: 'approver',
  serviceProvider: 'service_provider',
  platformAddress: 'platform_address',
  releaseSigner: 'release_signer',
  disputeResolver: 'dispute_resolver',
  receiver: 'receiver',
};

/**
 * Soroban's id of the contract created by `deployer` with `salt` on the network of `passphrase`
 * (HashIdPreimage ENVELOPE_TYPE_CONTRACT_ID over ContractIdPreimageFromAddress; Indexer `escrow_parser.go`
 * `deriveContractID`).
 */
export function contractIdFrom(passphrase: string, deployer: string, salt: Buffer): string {
  const preimage = xdr.HashIdPreimage.envelopeTypeContractId(
    new xdr.HashIdPreimageContractId({
      networkId: hash(Buffer.from(passphrase)),
      contractIdPreimage: xdr.ContractIdPreimage.contractIdPreimageFromAddress(
        new xdr.ContractIdPreimageFromAddress({ address: new Address(deployer).toScAddress(), salt }),
      ),
    }),
  );
  return StrKey.encodeContract(hash(preimage.toXDR()));
}

/** The factory call's arguments: `(deployer, wasm_hash, salt, init_fn, init_args, constructor_args)`. */
function factoryArgs(invoke: xdr.InvokeContractArgs): {
  deployer: string;
  salt: Buffer;
  initFn: string;
  initArgs: xdr.ScVal[];
  constructorArgs: xdr.ScVal[];
} {
  const args = invoke.args();
  if (args.length !== 6) throw new UnsafeTransactionError(`the factory call has ${args.length} arguments, expected 6`);
  if (args[2].switch().name !== 'scvBytes' || args[2].bytes().length !== 32) throw new UnsafeTransactionError('the salt is not 32 bytes');
  if (args[4].switch().name !== 'scvVec' || args[5].switch().name !== 'scvVec')
    throw new UnsafeTransactionError('init_args and constructor_args must be vectors');
  let deployer: string;
  try {
    deployer = Address.fromScVal(args[0]).toString();
  } catch {
    throw new UnsafeTransactionError('the deployer is not an address');
  }
  if (args[3].switch().name !== 'scvSymbol') throw new UnsafeTransactionError('init_fn is not a symbol');
  const initFn = args[3].sym().toString();
  return { deployer, salt: Buffer.from(args[2].bytes()), initFn, initArgs: args[4].vec() ?? [], constructorArgs: args[5].vec() ?? [] };
}

/** The id of the contract a factory deployment creates, from the transaction itself (a fee bump's inner one). */
export function deployedContractId(envelopeXdr: string, passphrase: string): string {
  const decoded = TransactionBuilder.fromXDR(envelopeXdr, passphrase);
  const tx = decoded instanceof FeeBumpTransaction ? decoded.innerTransaction : decoded;
  const op = tx.operations[0] as Operation.InvokeHostFunction;
  const { deployer, salt } = factoryArgs(op.func.invokeContract());
  return contractIdFrom(passphrase, deployer, salt);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- reads a decoded ScVal map; every field read is compared to ours */
/** Checks the factory call against what we asked: deployer, escrow (roles, amount, platform fee, trustline), contract id. */
function checkDeploy(invoke: xdr.InvokeContractArgs, expected: ExpectedDeploy, source: string, passphrase: string): void {
  const contract = Address.fromScAddress(invoke.contractAddress()).toString();
  if (contract !== expected.factory)
    throw new UnsafeTransactionError(`the deployment calls ${contract}, not the pinned factory ${expected.factory}`);
  const name = invoke.functionName().toString();
  if (name !== FACTORY_FN) throw new UnsafeTransactionError(`the factory call is ${name}, expected ${FACTORY_FN}`);
  const { deployer, salt, initFn, initArgs, constructorArgs } = factoryArgs(invoke);
  if (deployer !== source) throw new UnsafeTransactionError(`the deployer is ${deployer}, expected ${source}`);
  if (initFn !== ESCROW_INIT_FN)
    throw new UnsafeTransactionError(`the factory would call ${initFn} on the new escrow, not ${ESCROW_INIT_FN}`);
  if (initArgs.length !== 1 || constructorArgs.length !== 0)
    throw new UnsafeTransactionError('init_args must hold the escrow alone and constructor_args must be empty');
  let e: any;
  try {
    e = scValToNative(initArgs[0]);
  } catch {
    throw new UnsafeTransactionError('the escrow argument does not decode');
  }
  const differs = (what: string) => new UnsafeTransactionError(`the escrow's ${what} is not ours`);
  if (!e || typeof e !== 'object' || !e.roles || typeof e.roles !== 'object') throw differs('roles');
  for (const [ours, key] of Object.entries(ROLE_KEYS) as Array<[keyof Roles, string]>)
    if (e.roles[key] !== expected.roles[ours]) throw differs(`roles.${key}`);
  if (Object.keys(e.roles).length !== Object.keys(ROLE_KEYS).length) throw differs('roles');
  if (
    initArgs[0]
      .map()
      ?.find((m) => m.key().switch().name === 'scvSymbol' && m.key().sym().toString() === 'amount')
      ?.val()
      .switch().name !== 'scvI128'
  )
    throw differs('amount');
  if (typeof e.amount !== 'bigint' || e.amount !== expected.amount) throw differs('amount');
  if (typeof e.platform_fee !== 'number' || BigInt(e.platform_fee) !== expected.platformFeeBps) throw differs('platform fee');
  if (!e.trustline || e.trustline.address !== expected.trustline) throw differs('trustline');
  const predicted = contractIdFrom(passphrase, deployer, salt);
  if (!expected.contractId || predicted !== expected.contractId)
    throw new UnsafeTransactionError(
      `the contract id ${expected.contractId ?? '(none)'} is not the one the deployment creates (${predicted})`,
    );
}
/* eslint-enable @typescript-eslint/no-explicit-any */

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
  if (fn.switch().name !== 'hostFunctionTypeInvokeContract') throw new UnsafeTransactionError('a contract call was expected');
  const invoke = fn.invokeContract();
  if ('deploy' in expected.call) {
    checkDeploy(invoke, expected.call.deploy, expected.source, expected.passphrase);
    return tx;
  }
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
