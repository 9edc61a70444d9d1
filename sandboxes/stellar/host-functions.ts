import type { xdr } from '@stellar/stellar-sdk';
import { assetFields, type AssetValue } from './assets';
import { INT64_MAX, formatStroops } from './amounts';
import { contractDataKey, type LedgerLayer } from './ledger-state';
import { creditBalance, debitBalance, type TransferRefusal } from './operations/balance-transfer';

/**
 * The extension point for `invokeHostFunction`. The sandbox runs no WebAssembly: a Soroban transaction is handed
 * to the registered handlers in registration order, and the first one that returns an outcome decides it. A
 * handler returns `undefined` for invocations that are not its own (e.g. another contract id). When no handler
 * takes an invocation, the operation fails with INVOKE_HOST_FUNCTION_TRAPPED, as calling a missing contract does.
 *
 * A handler works on the ledger through `HostLedger`: every balance movement and storage write happens in the
 * operation's own ledger layer, so it is rolled back when the handler fails or the transaction fails, and it is
 * committed atomically with the rest of the transaction otherwise. Transfers between G accounts go through their
 * trustlines (or native balances) with the same rules as payments; C addresses hold contract balances. The
 * transfers made are reported in Horizon's `asset_balance_changes` and make the operation appear in /payments.
 *
 * Authorization: the transaction's signatures already authorize the operation's source account; a handler that
 * accepts `SorobanAuthorizationEntry` address credentials for other accounts must verify them itself.
 */

export interface HostFunctionInvocation {
  hostFunction: xdr.HostFunction;
  auth: xdr.SorobanAuthorizationEntry[];
  /** The operation's source account (G...). */
  sourceAccount: string;
  /** Hex hash of the transaction being applied. */
  txHash: string;
  ledgerSeq: number;
  closeTime: bigint;
  networkPassphrase: string;
  ledger: HostLedger;
}

export type HostFunctionFailure = 'trapped' | 'malformed' | 'resource_limit_exceeded' | 'entry_archived' | 'insufficient_refundable_fee';

export type HostFunctionOutcome =
  { ok: true; returnValue?: xdr.ScVal; events?: xdr.ContractEvent[] } | { ok: false; failure: HostFunctionFailure };

export type HostFunctionHandler = (invocation: HostFunctionInvocation) => HostFunctionOutcome | undefined;

export type TransferFailure = 'underfunded' | 'no_trust' | 'not_authorized' | 'line_full' | 'no_account';

export interface BalanceChange {
  type: 'transfer' | 'mint' | 'burn';
  from: string;
  to: string;
  asset: AssetValue;
  amount: bigint;
}

export interface HostLedger {
  /** Balance of a G account (native, or through its trustline; an issuer holds unlimited) or of a C contract. */
  balance(address: string, asset: AssetValue): bigint | null;
  /** Moves `amount` (stroops, > 0); returns null on success or why it failed (nothing moved then). */
  transfer(from: string, to: string, asset: AssetValue, amount: bigint): TransferFailure | null;
  /** The handler's own storage for a contract. */
  getData(contractId: string, key: string): string | undefined;
  putData(contractId: string, key: string, value: string): void;
  deleteData(contractId: string, key: string): void;
}

export class HostFunctionRegistry {
  private readonly handlers: HostFunctionHandler[] = [];

  /** Adds a handler; returns a function that removes it. */
  register(handler: HostFunctionHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const at = this.handlers.indexOf(handler);
      if (at >= 0) this.handlers.splice(at, 1);
    };
  }

  invoke(invocation: HostFunctionInvocation): HostFunctionOutcome {
    for (const handler of this.handlers) {
      const outcome = handler(invocation);
      if (outcome) return outcome;
    }
    return { ok: false, failure: 'trapped' };
  }
}

const isContract = (address: string) => address.startsWith('C');

/** A HostLedger over one operation's layer; records the balance changes it makes. */
export class LayerHostLedger implements HostLedger {
  readonly changes: BalanceChange[] = [];

  constructor(
    private readonly ltx: LedgerLayer,
    private readonly ledgerSeq: number,
  ) {}

  balance(address: string, asset: AssetValue): bigint | null {
    if (isContract(address)) return this.ltx.contractBalance(address, asset)?.balance ?? 0n;
    if (asset.type === 'native') return this.ltx.account(address)?.balance ?? null;
    if (asset.issuer === address) return INT64_MAX;
    return this.ltx.trustline(address, asset)?.balance ?? null;
  }

  transfer(from: string, to: string, asset: AssetValue, amount: bigint): TransferFailure | null {
    if (amount <= 0n) throw new Error('transfer amount must be positive');
    const layer = this.ltx.child();
    const failure = this.credit(layer, to, asset, amount) ?? this.debit(layer, from, asset, amount);
    if (failure) return failure;
    layer.commit();
    const issuer = asset.type === 'native' ? undefined : asset.issuer;
    const type = from === issuer ? 'mint' : to === issuer ? 'burn' : 'transfer';
    this.changes.push({ type, from, to, asset, amount });
    return null;
  }

  private credit(ltx: LedgerLayer, to: string, asset: AssetValue, amount: bigint): TransferFailure | null {
    if (isContract(to)) {
      const current = ltx.contractBalance(to, asset);
      const balance = (current?.balance ?? 0n) + amount;
      if (balance > INT64_MAX) return 'line_full';
      ltx.put({ type: 'contract_balance', contractId: to, asset, balance, lastModifiedLedger: this.ledgerSeq });
      return null;
    }
    const issuer = asset.type !== 'native' && asset.issuer === to;
    if (!issuer && !ltx.account(to)) return 'no_account';
    return classic(creditBalance(ltx, to, asset, amount, this.ledgerSeq));
  }

  private debit(ltx: LedgerLayer, from: string, asset: AssetValue, amount: bigint): TransferFailure | null {
    if (isContract(from)) {
      const current = ltx.contractBalance(from, asset);
      if (!current || current.balance < amount) return 'underfunded';
      ltx.put({ ...current, balance: current.balance - amount, lastModifiedLedger: this.ledgerSeq });
      return null;
    }
    if (asset.type === 'native' && !ltx.account(from)) return 'no_account';
    return classic(debitBalance(ltx, from, asset, amount, this.ledgerSeq));
  }

  getData(contractId: string, key: string): string | undefined {
    return this.ltx.contractData(contractId, key)?.value;
  }

  putData(contractId: string, key: string, value: string): void {
    this.ltx.put({ type: 'contract_data', contractId, key, value, lastModifiedLedger: this.ledgerSeq });
  }

  deleteData(contractId: string, key: string): void {
    if (this.ltx.contractData(contractId, key)) this.ltx.remove(contractDataKey(contractId, key));
  }
}

/** A classic account's refusal in the words of the asset contract's transfer (which side it is on is implied). */
const CLASSIC_REFUSALS = {
  lineFull: 'line_full',
  noTrust: 'no_trust',
  srcNoTrust: 'no_trust',
  notAuthorized: 'not_authorized',
  srcNotAuthorized: 'not_authorized',
  underfunded: 'underfunded',
} as const satisfies Record<TransferRefusal, TransferFailure>;

function classic(refusal: TransferRefusal | null): TransferFailure | null {
  return refusal === null ? null : CLASSIC_REFUSALS[refusal];
}

/** Horizon's `asset_balance_changes` records. */
export function renderBalanceChanges(changes: BalanceChange[]): Array<Record<string, string>> {
  return changes.map((c) => ({
    ...assetFields(c.asset),
    type: c.type,
    from: c.from,
    to: c.to,
    amount: formatStroops(c.amount),
  }));
}
