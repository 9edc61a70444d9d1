import type { xdr } from '@stellar/stellar-sdk';
import type { LedgerLayer } from '../ledger-state';
import type { OpResult } from '../results';
import type { HostFunctionRegistry } from '../host-functions';

/** The ledger being built: its sequence number and close time (unix seconds). */
export interface LedgerHeaderInfo {
  ledgerSeq: number;
  closeTime: bigint;
  /** The ledger header's baseFee (stroops per operation; stellar-core's LedgerHeader.baseFee, voted by validators). */
  baseFee: bigint;
}

/** An account reference as it appears in an operation: its G address, and the M address when muxed. */
export interface AccountRef {
  id: string;
  muxed?: string;
  muxedId?: string;
}

/** What an operation is applied with. `ltx` is the operation's own layer: dropped when the operation fails. */
export interface ApplyContext {
  ltx: LedgerLayer;
  header: LedgerHeaderInfo;
  source: AccountRef;
  txHash: Buffer;
  /** The (inner) transaction's source account and sequence number: with opIndex, an operation's id (claimable balances). */
  txSourceId: string;
  txSeqNum: bigint;
  opIndex: number;
  networkPassphrase: string;
  hostFunctions: HostFunctionRegistry;
}

/** Static context for an operation's well-formedness check (stellar-core's doCheckValid). */
export interface CheckContext {
  source: AccountRef;
  /** The whole transaction's operations, for checks that need them (Soroban consistency). */
  operationCount: number;
}

export interface ApplyOutcome {
  result: OpResult;
  /** Horizon record fields known only once applied (e.g. `asset_balance_changes` of a host function). */
  recordFields?: Record<string, unknown>;
  /** Accounts the operation touched beyond those its body names (for the history's account filters). */
  participants?: string[];
  /** Set when applying makes Horizon list the operation in /payments (a host function that moved assets). */
  isPayment?: boolean;
  /** A host function's return value and events, for the transaction meta. */
  soroban?: { returnValue: xdr.ScVal; events: xdr.ContractEvent[] };
}

/** Horizon's view of an operation, derived from its body: its type, type_i, fields and participants. */
export interface OperationDescription {
  type: string;
  typeI: number;
  fields: Record<string, unknown>;
  participants: string[];
  /** Whether Horizon's /payments lists it. */
  isPayment: boolean;
}

export interface DescribeContext {
  source: AccountRef;
  opIndex: number;
  /** Every operation of the transaction with its effective source, for cross-operation fields. */
  all: Array<{ body: xdr.OperationBody; source: AccountRef }>;
}

export type Threshold = 'low' | 'medium' | 'high';

export interface OperationHandler<B = unknown> {
  threshold(body: B): Threshold;
  /** A malformed-operation result, or null when the operation is well formed. */
  checkValid(body: B, ctx: CheckContext): OpResult | null;
  apply(body: B, ctx: ApplyContext): ApplyOutcome;
  describe(body: B, ctx: DescribeContext): OperationDescription;
}
