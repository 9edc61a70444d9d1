import crypto from 'node:crypto';
import { Address, StrKey, scValToNative, xdr } from '@stellar/stellar-sdk';
import type { HostFunctionHandler, HostFunctionInvocation, HostFunctionOutcome, HostLedger } from '../stellar';

/**
 * The single-release escrow "contract" of the sandbox Trustless Work: a host-function handler registered on the
 * sandbox Stellar network. Escrows are deployed through the factory contract's `tw_new_single_release_escrow(deployer,
 * wasm_hash, salt, init_fn, init_args, constructor_args)` (Trustless-Work/Indexer
 * `internal/indexer/processors/contracts/escrow.go`, `escrow_parser.go` `ParseSingleReleaseEscrowArgs`), at the id
 * Soroban derives from (network, deployer, salt) (`escrow_parser.go` `deriveContractID`); the handler applies their calls, keeping each escrow's state in the contract's own storage and moving USDC with HostLedger.transfer,
 * all inside the operation. It enforces the rules itself, whatever the REST API checked before building the call.
 */

/** Stands for the escrow contract's WebAssembly (the sandbox runs none): sha256 of a fixed label. */
export const ESCROW_WASM_HASH = crypto.createHash('sha256').update('offerhub-sandbox/trustless-work/single-release-escrow/v1').digest();

/** The function the factory calls on the new escrow with `init_args` (the contract's `initialize_escrow`). */
export const ESCROW_INIT_FN = 'initialize_escrow';
export const FACTORY_FN = 'tw_new_single_release_escrow';

/** The sandbox factory's contract id on a network: stands for Trustless Work's deployed factory (one per network). */
export function factoryIdFor(networkPassphrase: string): string {
  return StrKey.encodeContract(
    crypto.createHash('sha256').update(`offerhub-sandbox/trustless-work/factory\n${networkPassphrase}`).digest(),
  );
}

/** Trustless Work's protocol fee: 0.3% of every payout, in basis points. */
export const PROTOCOL_FEE_BPS = 30n;
const BPS = 10_000n;
const STORAGE_KEY = 'escrow';

export interface Roles {
  approver: string;
  serviceProvider: string;
  platformAddress: string;
  releaseSigner: string;
  disputeResolver: string;
  receiver: string;
}
export const ROLE_NAMES: ReadonlyArray<keyof Roles> = [
  'approver',
  'serviceProvider',
  'platformAddress',
  'releaseSigner',
  'disputeResolver',
  'receiver',
];

export interface Milestone {
  description: string;
  status: string;
  evidence: string;
  approved: boolean;
}

/** An escrow as the contract stores it (amounts in stroops, platform fee in basis points). */
export interface EscrowState {
  contractId: string;
  signer: string;
  engagementId: string;
  title: string;
  description: string;
  roles: Roles;
  amount: bigint;
  platformFeeBps: bigint;
  milestones: Milestone[];
  flags: { disputed: boolean; released: boolean; resolved: boolean };
  /** The token (contract `storage/types.rs` `Trustline { address }`; the SDK's `Trustline` has `address` only). */
  trustline: { address: string };
  receiverMemo: number;
}

export interface UsdcAsset {
  type: 'credit_alphanum4';
  code: string;
  issuer: string;
}

// ---- contract id and ScVal encoding ----------------------------------------------------------------------------

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest();

/** Soroban's contract id for a contract created by `deployer` with `salt` (HashIdPreimage ENVELOPE_TYPE_CONTRACT_ID). */
export function contractIdFor(networkPassphrase: string, preimage: xdr.ContractIdPreimage): string {
  const hashPreimage = xdr.HashIdPreimage.envelopeTypeContractId(
    new xdr.HashIdPreimageContractId({ networkId: sha256(Buffer.from(networkPassphrase)), contractIdPreimage: preimage }),
  );
  return StrKey.encodeContract(sha256(hashPreimage.toXDR()));
}

export function deployPreimage(deployer: string, salt: Buffer): xdr.ContractIdPreimage {
  return xdr.ContractIdPreimage.contractIdPreimageFromAddress(
    new xdr.ContractIdPreimageFromAddress({ address: new Address(deployer).toScAddress(), salt }),
  );
}

const sym = (s: string) => xdr.ScVal.scvSymbol(s);
const str = (s: string) => xdr.ScVal.scvString(s);
const addr = (a: string) => new Address(a).toScVal();
export const u32 = (n: number) => xdr.ScVal.scvU32(n);
export const i128 = (v: bigint) => {
  const lo = v & 0xffffffffffffffffn;
  const hi = v >> 64n;
  return xdr.ScVal.scvI128(new xdr.Int128Parts({ hi: xdr.Int64.fromString(hi.toString()), lo: xdr.Uint64.fromString(lo.toString()) }));
};
/** A map with symbol keys, sorted as Soroban requires. */
function symMap(fields: Record<string, xdr.ScVal>): xdr.ScVal {
  const keys = Object.keys(fields).sort();
  return xdr.ScVal.scvMap(keys.map((k) => new xdr.ScMapEntry({ key: sym(k), val: fields[k]! })));
}
export { addr as addressVal, str as stringVal };

/**
 * The escrow as `init_args[0]` of the factory call: a map with the keys the indexer parses (Trustless-Work/Indexer
 * `escrow_parser.go` `parseEscrowData`): engagement_id, title, description, amount (i128 stroops), platform_fee (u32
 * basis points), receiver_memo, flags, roles, milestones, trustline{address}.
 */
export function escrowToScVal(e: Omit<EscrowState, 'contractId' | 'signer'>): xdr.ScVal {
  return symMap({
    amount: i128(e.amount),
    description: str(e.description),
    engagement_id: str(e.engagementId),
    flags: symMap({
      disputed: xdr.ScVal.scvBool(e.flags.disputed),
      released: xdr.ScVal.scvBool(e.flags.released),
      resolved: xdr.ScVal.scvBool(e.flags.resolved),
    }),
    milestones: xdr.ScVal.scvVec(
      e.milestones.map((m) =>
        symMap({
          approved: xdr.ScVal.scvBool(m.approved),
          description: str(m.description),
          evidence: str(m.evidence),
          status: str(m.status),
        }),
      ),
    ),
    platform_fee: u32(Number(e.platformFeeBps)),
    receiver_memo: i128(BigInt(e.receiverMemo)),
    roles: symMap({
      approver: addr(e.roles.approver),
      dispute_resolver: addr(e.roles.disputeResolver),
      platform_address: addr(e.roles.platformAddress),
      receiver: addr(e.roles.receiver),
      release_signer: addr(e.roles.releaseSigner),
      service_provider: addr(e.roles.serviceProvider),
    }),
    title: str(e.title),
    trustline: symMap({ address: addr(e.trustline.address) }),
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- reads a decoded ScVal map; every field is checked by s(), BigInt() or Number() */
export function escrowFromScVal(contractId: string, signer: string, v: xdr.ScVal): EscrowState {
  const n = scValToNative(v) as any;
  const s = (x: unknown) => {
    if (typeof x !== 'string') throw new Error('expected a string');
    return x;
  };
  const milestones = (n.milestones as any[]).map((m) => ({
    description: s(m.description),
    status: s(m.status),
    evidence: s(m.evidence),
    approved: m.approved === true,
  }));
  if (milestones.length === 0) throw new Error('no milestones');
  const amount = BigInt(n.amount);
  const platformFeeBps = BigInt(n.platform_fee);
  if (amount <= 0n || platformFeeBps < 0n || platformFeeBps + PROTOCOL_FEE_BPS > BPS) throw new Error('bad amounts');
  return {
    contractId,
    signer,
    engagementId: s(n.engagement_id),
    title: s(n.title),
    description: s(n.description),
    roles: {
      approver: s(n.roles.approver),
      serviceProvider: s(n.roles.service_provider),
      platformAddress: s(n.roles.platform_address),
      releaseSigner: s(n.roles.release_signer),
      disputeResolver: s(n.roles.dispute_resolver),
      receiver: s(n.roles.receiver),
    },
    amount,
    platformFeeBps,
    milestones,
    flags: { disputed: false, released: false, resolved: false },
    trustline: { address: s(n.trustline.address) },
    receiverMemo: Number(n.receiver_memo),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---- storage ---------------------------------------------------------------------------------------------------

type StoredEscrow = Omit<EscrowState, 'amount' | 'platformFeeBps'> & { amount: string; platformFeeBps: string };

export function serializeEscrow(e: EscrowState): string {
  return JSON.stringify({ ...e, amount: e.amount.toString(), platformFeeBps: e.platformFeeBps.toString() } satisfies StoredEscrow);
}

export function parseEscrow(json: string): EscrowState {
  const s = JSON.parse(json) as StoredEscrow;
  return { ...s, amount: BigInt(s.amount), platformFeeBps: BigInt(s.platformFeeBps) };
}

// ---- rules -----------------------------------------------------------------------------------------------------

/**
 * The contract's fee rule (Trustless-Work/trustlesswork-smart-contract-stellar, `modules/fee/calculator.rs`
 * `calculate_standard_fees` and `modules/fee/distribution.rs` `calculate_and_distribute_fees`): the 0.3% protocol fee
 * and the platform fee are computed once on the total, each rounded down; each recipient bears `amount * fee / total`
 * of each (rounded down) and receives the rest; the fee accounts receive the sums of the shares.
 */
export function sharesOf(
  payouts: Array<{ address: string; amount: bigint }>,
  platformFeeBps: bigint,
): { nets: Array<{ address: string; amount: bigint }>; protocol: bigint; platform: bigint } {
  const total = payouts.reduce((sum, p) => sum + p.amount, 0n);
  const twFee = (total * PROTOCOL_FEE_BPS) / BPS;
  const platformFee = (total * platformFeeBps) / BPS;
  let protocol = 0n;
  let platform = 0n;
  const nets: Array<{ address: string; amount: bigint }> = [];
  for (const p of payouts) {
    if (p.amount <= 0n) continue;
    const tw = (p.amount * twFee) / total;
    const pf = (p.amount * platformFee) / total;
    protocol += tw;
    platform += pf;
    if (p.amount - tw - pf > 0n) nets.push({ address: p.address, amount: p.amount - tw - pf });
  }
  return { nets, protocol, platform };
}

export const isFinal = (e: EscrowState) => e.flags.released || e.flags.resolved;

export type Call =
  | { fn: 'fund_escrow'; signer: string; amount: bigint }
  | { fn: 'change_milestone_status'; milestoneIndex: number; newStatus: string; newEvidence: string; serviceProvider: string }
  | { fn: 'approve_milestone'; milestoneIndex: number; newFlag: boolean; approver: string }
  | { fn: 'release_funds'; releaseSigner: string; trustlessWorkAddress: string }
  | { fn: 'dispute_escrow'; signer: string }
  | {
      fn: 'resolve_dispute';
      disputeResolver: string;
      trustlessWorkAddress: string;
      distributions: Array<{ address: string; amount: bigint }>;
    };

/**
 * A contract error as the API reports it (Problem Details `code` and status; docs.trustlesswork.com
 * v2-en/api-rest/errors/escrow/<code-in-kebab-case>). Codes marked "pinned" have their page there; the others follow
 * the catalogue's naming ("ESCROW_" + the contract error) and are listed in docs/trustless-work.md as not pinned.
 */
export interface ContractError {
  status: number;
  code: string;
  detail: string;
}

const E = (status: number, code: string, detail: string): ContractError => ({ status, code, detail });

/**
 * Why `call` by `caller` is refused on `escrow` holding `balance`, or null when it is allowed. Shared by the REST API
 * (its simulation, before it builds a transaction) and the contract (when the transaction is applied).
 */
export function refusal(escrow: EscrowState, balance: bigint, call: Call, caller: string): ContractError | null {
  if (escrow.flags.released) return E(409, 'ESCROW_ALREADY_RELEASED', 'The escrow has already been released');
  if (escrow.flags.resolved) return E(409, 'ESCROW_ALREADY_RESOLVED', 'The escrow has already been resolved');
  const inDispute = E(409, 'ESCROW_OPENED_FOR_DISPUTE_RESOLUTION', 'The escrow is in dispute');
  const badIndex = E(422, 'ESCROW_INVALID_MILESTONE_INDEX', 'Invalid milestone index');
  const { roles } = escrow;
  switch (call.fn) {
    case 'fund_escrow':
      if (call.signer !== caller) return E(403, 'ESCROW_UNAUTHORIZED', 'Only the signer can fund from its own account');
      if (call.amount <= 0n) return E(422, 'ESCROW_AMOUNT_MUST_BE_POSITIVE', 'The amount must be greater than zero');
      if (escrow.flags.disputed) return inDispute;
      return null;
    case 'change_milestone_status':
      if (call.serviceProvider !== caller || caller !== roles.serviceProvider)
        return E(403, 'ESCROW_ONLY_SERVICE_PROVIDER_CAN_CHANGE_STATUS', 'Only the service provider can change the milestone status');
      if (!escrow.milestones[call.milestoneIndex]) return badIndex;
      if (escrow.flags.disputed) return inDispute;
      return null;
    case 'approve_milestone':
      if (call.approver !== caller || caller !== roles.approver)
        return E(403, 'ESCROW_ONLY_APPROVER_CAN_APPROVE', 'Only the approver can approve milestones');
      if (!escrow.milestones[call.milestoneIndex]) return badIndex;
      if (escrow.flags.disputed) return inDispute;
      return null;
    case 'release_funds':
      // pinned: escrow/escrow-only-release-signer-can-release (403)
      if (call.releaseSigner !== caller || caller !== roles.releaseSigner)
        return E(403, 'ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE', 'Only the release signer can release the escrow funds');
      if (escrow.flags.disputed) return inDispute;
      // pinned: deploy/approve-and-release-milestones ("traps with ESCROW_NOT_COMPLETED")
      if (!escrow.milestones.every((m) => m.approved))
        return E(409, 'ESCROW_NOT_COMPLETED', 'The escrow milestones must be approved before the funds are released');
      // contract core/escrow.rs release_funds: EscrowBalanceNotEnoughToSendEarnings below the escrow's amount.
      if (balance < escrow.amount)
        return E(409, 'ESCROW_BALANCE_NOT_ENOUGH_TO_SEND_EARNINGS', 'The escrow balance is not enough to send the earnings');
      return null;
    case 'dispute_escrow':
      if (call.signer !== caller) return E(403, 'ESCROW_UNAUTHORIZED', 'The signer must dispute in its own name');
      // pinned: escrow/escrow-dispute-resolver-cannot-dispute (403)
      if (caller === roles.disputeResolver)
        return E(403, 'ESCROW_DISPUTE_RESOLVER_CANNOT_DISPUTE', 'The dispute resolver cannot open a dispute');
      if (!ROLE_NAMES.some((r) => roles[r] === caller))
        return E(403, 'ESCROW_UNAUTHORIZED', 'Only a party of the escrow can open a dispute');
      // pinned: escrow/escrow-already-in-dispute (409)
      if (escrow.flags.disputed) return E(409, 'ESCROW_ALREADY_IN_DISPUTE', 'The escrow is already in dispute');
      if (balance <= 0n) return E(409, 'ESCROW_BALANCE_IS_ZERO', 'The escrow balance is zero');
      return null;
    case 'resolve_dispute': {
      if (call.disputeResolver !== caller || caller !== roles.disputeResolver)
        return E(403, 'ESCROW_ONLY_DISPUTE_RESOLVER_CAN_RESOLVE', 'Only the dispute resolver can resolve the dispute');
      if (!escrow.flags.disputed) return E(409, 'ESCROW_NOT_IN_DISPUTE', 'The escrow is not in dispute');
      if (call.distributions.some((d) => d.amount <= 0n))
        return E(422, 'ESCROW_AMOUNTS_TO_BE_TRANSFERRED_SHOULD_BE_POSITIVE', 'Every distribution amount must be greater than zero');
      const total = call.distributions.reduce((sum, d) => sum + d.amount, 0n);
      if (total !== balance)
        return E(422, 'ESCROW_DISTRIBUTIONS_MUST_EQUAL_BALANCE', 'The sum of the distributions must equal the escrow balance');
      return null;
    }
  }
}

// ---- the handler -----------------------------------------------------------------------------------------------

export function decodeCall(fn: string, args: xdr.ScVal[]): Call | null {
  const a = (i: number) => Address.fromScVal(args[i]!).toString();
  const native = (i: number) => scValToNative(args[i]!) as unknown;
  switch (fn) {
    case 'fund_escrow':
      return args.length === 2 ? { fn, signer: a(0), amount: BigInt(native(1) as bigint) } : null;
    case 'change_milestone_status':
      return args.length === 4
        ? { fn, milestoneIndex: Number(native(0)), newStatus: String(native(1)), newEvidence: String(native(2)), serviceProvider: a(3) }
        : null;
    case 'approve_milestone':
      return args.length === 3 ? { fn, milestoneIndex: Number(native(0)), newFlag: native(1) === true, approver: a(2) } : null;
    case 'release_funds':
      return args.length === 2 ? { fn, releaseSigner: a(0), trustlessWorkAddress: a(1) } : null;
    case 'dispute_escrow':
      return args.length === 1 ? { fn, signer: a(0) } : null;
    case 'resolve_dispute': {
      if (args.length !== 3 || args[2]!.switch().name !== 'scvMap') return null;
      const distributions = (args[2]!.map() ?? []).map((e) => ({
        address: Address.fromScVal(e.key()).toString(),
        amount: BigInt(scValToNative(e.val()) as bigint),
      }));
      return { fn, disputeResolver: a(0), trustlessWorkAddress: a(1), distributions };
    }
    default:
      return null;
  }
}

export interface EscrowContractOptions {
  usdc: UsdcAsset;
  /** The factory contract's id on this network (factoryIdFor). */
  factoryId: string;
  /** Receives the 0.3% protocol fee. */
  feeAccount: string;
  /** Told about every escrow state the contract wrote, with the contract's USDC balance after the call. */
  onState(escrow: EscrowState, balance: bigint): void;
}

const TRAPPED: HostFunctionOutcome = { ok: false, failure: 'trapped' };

/** Pays `payouts` from the contract by the contract's fee rule (sharesOf): fees first, then each net. */
function payOut(
  ledger: HostLedger,
  escrow: EscrowState,
  opts: EscrowContractOptions,
  payouts: Array<{ address: string; amount: bigint }>,
): boolean {
  const { nets, protocol, platform } = sharesOf(payouts, escrow.platformFeeBps);
  if (protocol > 0n && ledger.transfer(escrow.contractId, opts.feeAccount, opts.usdc, protocol)) return false;
  if (platform > 0n && ledger.transfer(escrow.contractId, escrow.roles.platformAddress, opts.usdc, platform)) return false;
  for (const n of nets) if (ledger.transfer(escrow.contractId, n.address, opts.usdc, n.amount)) return false;
  return true;
}

/**
 * The factory: `tw_new_single_release_escrow(deployer, wasm_hash, salt, init_fn, init_args, constructor_args)`
 * (Indexer `escrow_parser.go` `ParseSingleReleaseEscrowArgs`: "[0] deployer (Address) [1] wasm_hash (BytesN<32>) [2]
 * salt (BytesN<32>) [3] init_fn (Symbol) [4] init_args (Vec<Val>) — contains escrow data [5] constructor_args
 * (Vec<Val>) — empty"). The deployer must authorize (it is the operation's source); the new escrow lives at the id
 * derived from (network, deployer, salt); the call returns its address.
 */
function factoryCall(inv: HostFunctionInvocation, opts: EscrowContractOptions): HostFunctionOutcome {
  const invoke = inv.hostFunction.invokeContract();
  if (invoke.functionName().toString() !== FACTORY_FN) return TRAPPED;
  const args = invoke.args();
  if (args.length !== 6) return TRAPPED;
  try {
    const deployer = Address.fromScVal(args[0]!).toString();
    if (deployer !== inv.sourceAccount) return TRAPPED;
    if (args[1]!.switch().name !== 'scvBytes' || !Buffer.from(args[1]!.bytes()).equals(ESCROW_WASM_HASH)) return TRAPPED;
    const salt = Buffer.from(args[2]!.bytes());
    if (args[2]!.switch().name !== 'scvBytes' || salt.length !== 32) return TRAPPED;
    if (args[3]!.switch().name !== 'scvSymbol' || args[3]!.sym().toString() !== ESCROW_INIT_FN) return TRAPPED;
    const initArgs = args[4]!.vec() ?? [];
    if (initArgs.length !== 1 || (args[5]!.vec() ?? []).length !== 0) return TRAPPED;
    const contractId = contractIdFor(inv.networkPassphrase, deployPreimage(deployer, salt));
    if (inv.ledger.getData(contractId, STORAGE_KEY) !== undefined) return TRAPPED;
    const escrow = escrowFromScVal(contractId, deployer, initArgs[0]!);
    inv.ledger.putData(contractId, STORAGE_KEY, serializeEscrow(escrow));
    opts.onState(escrow, inv.ledger.balance(contractId, opts.usdc) ?? 0n);
    return { ok: true, returnValue: new Address(contractId).toScVal() };
  } catch {
    return TRAPPED;
  }
}

export function escrowContractHandler(opts: EscrowContractOptions): HostFunctionHandler {
  return (inv) => {
    const hf = inv.hostFunction;
    const { ledger } = inv;

    if (hf.switch().name !== 'hostFunctionTypeInvokeContract') return undefined;
    const invoke = hf.invokeContract();
    const contractAddress = invoke.contractAddress();
    if (contractAddress.switch().name !== 'scAddressTypeContract') return undefined;
    const contractId = Address.fromScAddress(contractAddress).toString();
    if (contractId === opts.factoryId) return factoryCall(inv, opts);
    const stored = ledger.getData(contractId, STORAGE_KEY);
    if (stored === undefined) return undefined;
    const escrow = parseEscrow(stored);

    const fnName = invoke.functionName().toString();
    if (fnName === 'get_escrow') {
      // A read: the stored escrow and the contract's balance, as a JSON string (the sandbox's stand-in for a
      // simulated read of the contract's storage).
      if (invoke.args().length !== 0) return TRAPPED;
      const balance = ledger.balance(contractId, opts.usdc) ?? 0n;
      opts.onState(escrow, balance);
      return { ok: true, returnValue: xdr.ScVal.scvString(JSON.stringify({ escrow: stored, balance: balance.toString() })) };
    }

    let call: Call | null;
    try {
      call = decodeCall(fnName, invoke.args());
    } catch {
      call = null;
    }
    if (!call) return TRAPPED;
    const balance = ledger.balance(contractId, opts.usdc) ?? 0n;
    if (refusal(escrow, balance, call, inv.sourceAccount)) return TRAPPED;

    switch (call.fn) {
      case 'fund_escrow':
        if (ledger.transfer(call.signer, contractId, opts.usdc, call.amount)) return TRAPPED;
        break;
      case 'change_milestone_status': {
        const m = escrow.milestones[call.milestoneIndex]!;
        m.status = call.newStatus;
        if (call.newEvidence) m.evidence = call.newEvidence;
        break;
      }
      case 'approve_milestone':
        escrow.milestones[call.milestoneIndex]!.approved = call.newFlag;
        break;
      case 'release_funds':
        if (call.trustlessWorkAddress !== opts.feeAccount) return TRAPPED;
        // contract core/escrow.rs release_funds: the fees are on the escrow's amount, the receiver gets the rest of it.
        if (!payOut(ledger, escrow, opts, [{ address: escrow.roles.receiver, amount: escrow.amount }])) return TRAPPED;
        escrow.flags.released = true;
        break;
      case 'dispute_escrow':
        escrow.flags.disputed = true;
        break;
      case 'resolve_dispute':
        if (call.trustlessWorkAddress !== opts.feeAccount) return TRAPPED;
        if (!payOut(ledger, escrow, opts, call.distributions)) return TRAPPED;
        escrow.flags.resolved = true;
        escrow.flags.disputed = false;
        break;
    }
    ledger.putData(contractId, STORAGE_KEY, serializeEscrow(escrow));
    opts.onState(escrow, ledger.balance(contractId, opts.usdc) ?? 0n);
    return { ok: true };
  };
}
