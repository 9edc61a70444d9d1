import type { SponsorshipResult } from './sponsorship';
import { xdr } from '@stellar/stellar-sdk';
import { OP_CODES, OP_OUTER_CODES, TX_CODES, type OpCodeOf, type OpOuterCode, type SupportedOpType, type TxCode } from './result-codes';

/** One operation's result: its XDR, Horizon's code string and whether it succeeded. */
export interface OpResult {
  xdr: xdr.OperationResult;
  code: string;
  success: boolean;
}

type UnionFactory = Record<string, (value?: unknown) => unknown>;

/** An operation's own result (opINNER), e.g. `opResult('payment', 'paymentNoTrust')`. */
export function opResult<T extends SupportedOpType>(type: T, code: OpCodeOf<T>, value?: unknown): OpResult {
  const table = OP_CODES[type];
  const union = (xdr as unknown as Record<string, UnionFactory>)[table.union]!;
  const make = union[code as string];
  if (typeof make !== 'function') throw new Error(`no XDR arm ${String(code)} in ${table.union}`);
  const inner = value === undefined ? make() : make(value);
  const tr = (xdr.OperationResultTr as unknown as UnionFactory)[type]!(inner) as xdr.OperationResultTr;
  const horizon = (table.codes as Record<string, string>)[code as string]!;
  return { xdr: xdr.OperationResult.opInner(tr), code: horizon, success: horizon === 'op_success' };
}

/** A result outside the operation's own codes: op_bad_auth, op_no_source_account, op_not_supported, ... */
export function opOuter(code: OpOuterCode): OpResult {
  const make = (xdr.OperationResult as unknown as UnionFactory)[code]!;
  return { xdr: make() as xdr.OperationResult, code: OP_OUTER_CODES[code], success: false };
}

/**
 * What a transaction came to. For a fee-bump envelope `code` is the outer code and `inner` the inner
 * transaction's; `opResults` are then the inner transaction's operation results.
 */
export interface TxOutcome {
  code: TxCode;
  feeCharged: bigint;
  opResults?: OpResult[];
  inner?: { hash: Buffer; code: TxCode; feeCharged: bigint };
}

const int64 = (v: bigint) => xdr.Int64.fromString(v.toString());
const WITH_RESULTS: ReadonlySet<TxCode> = new Set<TxCode>(['txSuccess', 'txFailed']);

function resultUnion(factory: UnionFactory, code: TxCode, opResults: OpResult[] | undefined): unknown {
  const make = factory[code];
  if (typeof make !== 'function') throw new Error(`no XDR arm ${code}`);
  return WITH_RESULTS.has(code) ? make((opResults ?? []).map((r) => r.xdr)) : make();
}

/** The TransactionResult XDR stellar-core would produce for this outcome. */
export function buildTransactionResult(outcome: TxOutcome): xdr.TransactionResult {
  let result: xdr.TransactionResultResult;
  if (outcome.inner) {
    const innerResult = new xdr.InnerTransactionResult({
      feeCharged: int64(outcome.inner.feeCharged),
      result: resultUnion(
        xdr.InnerTransactionResultResult as unknown as UnionFactory,
        outcome.inner.code,
        outcome.opResults,
      ) as xdr.InnerTransactionResultResult,
      ext: new xdr.InnerTransactionResultExt(0),
    });
    const pair = new xdr.InnerTransactionResultPair({ transactionHash: outcome.inner.hash, result: innerResult });
    result =
      outcome.code === 'txFeeBumpInnerSuccess'
        ? xdr.TransactionResultResult.txFeeBumpInnerSuccess(pair)
        : xdr.TransactionResultResult.txFeeBumpInnerFailed(pair);
  } else {
    result = resultUnion(
      xdr.TransactionResultResult as unknown as UnionFactory,
      outcome.code,
      outcome.opResults,
    ) as xdr.TransactionResultResult;
  }
  return new xdr.TransactionResult({
    feeCharged: int64(outcome.feeCharged),
    result,
    ext: new xdr.TransactionResultExt(0),
  });
}

/** Horizon's `extras.result_codes`. */
export interface ResultCodes {
  transaction: string;
  inner_transaction?: string;
  operations?: string[];
}

export function resultCodes(outcome: TxOutcome): ResultCodes {
  const codes: ResultCodes = { transaction: TX_CODES[outcome.code] };
  if (outcome.inner) codes.inner_transaction = TX_CODES[outcome.inner.code];
  const innermost = outcome.inner ? outcome.inner.code : outcome.code;
  if (WITH_RESULTS.has(innermost) && outcome.opResults && outcome.opResults.length > 0) {
    codes.operations = outcome.opResults.map((r) => r.code);
  }
  return codes;
}

export function isSuccess(outcome: TxOutcome): boolean {
  return outcome.code === 'txSuccess' || outcome.code === 'txFeeBumpInnerSuccess';
}

/** Horizon's result codes read back from a stored TransactionResult XDR. */
export function resultCodesFromXdr(resultXdr: string): ResultCodes {
  const result = xdr.TransactionResult.fromXDR(resultXdr, 'base64').result();
  const outer = result.switch().name as TxCode;
  const codes: ResultCodes = { transaction: TX_CODES[outer] };
  let ops: xdr.OperationResult[] | undefined;
  if (outer === 'txFeeBumpInnerSuccess' || outer === 'txFeeBumpInnerFailed') {
    const inner = (result.value() as xdr.InnerTransactionResultPair).result().result();
    codes.inner_transaction = TX_CODES[inner.switch().name as TxCode];
    if (WITH_RESULTS.has(inner.switch().name as TxCode)) ops = inner.value() as xdr.OperationResult[];
  } else if (WITH_RESULTS.has(outer)) {
    ops = result.value() as xdr.OperationResult[];
  }
  if (ops && ops.length) codes.operations = ops.map(opCodeOf);
  return codes;
}

function opCodeOf(r: xdr.OperationResult): string {
  const outer = r.switch().name;
  if (outer !== 'opInner') return OP_OUTER_CODES[outer as OpOuterCode] ?? outer;
  const tr = r.tr();
  const table = OP_CODES[tr.switch().name as SupportedOpType]?.codes as Record<string, string> | undefined;
  const code = (tr.value() as unknown as { switch(): { name: string } }).switch().name;
  return table?.[code] ?? 'op_success';
}

/**
 * What an operation answers when creating a (possibly sponsored) entry failed: its own low-reserve code, or the
 * shared subentry/sponsoring limits; null when the creation succeeded.
 */
export function sponsorshipRefusal(result: SponsorshipResult, lowReserve: () => OpResult): OpResult | null {
  if (result === 'low_reserve') return lowReserve();
  if (result === 'too_many_subentries') return opOuter('opTooManySubentries');
  if (result === 'too_many_sponsoring') return opOuter('opTooManySponsoring');
  return null;
}
