import { StrKey, xdr } from '@stellar/stellar-sdk';
import { INT64_MAX } from './amounts';
import { layerChanges } from './ledger-xdr';
import type { HostFunctionRegistry } from './host-functions';
import { accountSigners, availableBalance, startingSequenceNumber, type AccountEntry, type LedgerLayer } from './ledger-state';
import { bodyValue, handlerFor } from './operations';
import type { ApplyOutcome, LedgerHeaderInfo, Threshold } from './operations/types';
import { opOuter, opResult, type OpResult, type TxOutcome } from './results';
import { OP_CODES, type SupportedOpType, type TxCode } from './result-codes';
import { SignatureChecker } from './signatures';
import { hasOpenSponsorships } from './sponsorship';
import type { InnerTx, ParsedTx } from './transaction-envelope';

/**
 * stellar-core's transaction processing for one transaction: `validateTransaction` is checkValid (what decides
 * whether a submitted transaction gets into a ledger at all), `applyTransaction` is fee charging, sequence number
 * processing and operation application (what happens to it in the ledger).
 */

const SOROBAN_OPS = new Set(['invokeHostFunction', 'extendFootprintTtl', 'restoreFootprint']);
const THRESHOLD_INDEX: Record<Threshold, 1 | 2 | 3> = { low: 1, medium: 2, high: 3 };

export interface TxContext {
  header: LedgerHeaderInfo;
  networkPassphrase: string;
  hostFunctions: HostFunctionRegistry;
}

const isSoroban = (inner: InnerTx) => inner.operations.some((op) => SOROBAN_OPS.has(op.body.switch().name));
const numOps = (inner: InnerTx) => BigInt(Math.max(1, inner.operations.length));
const inclusionFee = (fee: bigint, inner: InnerTx) => fee - (isSoroban(inner) ? inner.resourceFee : 0n);

/** The fee stellar-core reports for a transaction that is not applied (checkValid's feeCharged). */
export function validationFee(tx: ParsedTx, BASE_FEE: bigint): bigint {
  const resource = isSoroban(tx.inner) ? tx.inner.resourceFee : 0n;
  return tx.feeBump ? BASE_FEE * (numOps(tx.inner) + 1n) + resource : BASE_FEE * numOps(tx.inner) + resource;
}

/** The fee charged when applied: the lower of the bid and the base fee per operation (no surge pricing here). */
export function chargedFee(tx: ParsedTx, BASE_FEE: bigint): bigint {
  const soroban = isSoroban(tx.inner);
  const resource = soroban ? tx.inner.resourceFee : 0n;
  if (tx.feeBump) {
    const bid = inclusionFee(tx.feeBump.fee, tx.inner);
    const adjusted = BASE_FEE * (numOps(tx.inner) + 1n);
    return resource + (bid < adjusted ? bid : adjusted);
  }
  const bid = inclusionFee(tx.inner.fee, tx.inner);
  const adjusted = BASE_FEE * numOps(tx.inner);
  return resource + (bid < adjusted ? bid : adjusted);
}

/** The result an operation has before it is looked at: its type's success code. */
function defaultOpResult(body: xdr.OperationBody): OpResult {
  const type = body.switch().name;
  if (type in OP_CODES) {
    const codes = Object.keys(OP_CODES[type as SupportedOpType].codes);
    if (type === 'invokeHostFunction') return opResult('invokeHostFunction', 'invokeHostFunctionSuccess', Buffer.alloc(32));
    return opResult(type as SupportedOpType, codes[0] as never);
  }
  return opOuter('opNotSupported');
}

type InnerCheck = { code: TxCode; opResults?: OpResult[] } | null;

function extraSignersValid(inner: InnerTx): boolean {
  const keys = inner.extraSigners.map((k) => k.toXDR('base64'));
  if (keys.length === 2 && keys[0] === keys[1]) return false;
  return inner.extraSigners.every(
    (k) => k.switch().name !== 'signerKeyTypeEd25519SignedPayload' || k.ed25519SignedPayload().payload().length > 0,
  );
}

function extraSignersSigned(inner: InnerTx, checker: SignatureChecker): boolean {
  return inner.extraSigners.every((k) => {
    switch (k.switch().name) {
      case 'signerKeyTypeEd25519':
        return checker.check([{ key: StrKey.encodeEd25519PublicKey(k.ed25519()), weight: 1 }], 1);
      case 'signerKeyTypeHashX':
        return checker.check([{ key: StrKey.encodeSha256Hash(k.hashX()), weight: 1 }], 1);
      case 'signerKeyTypePreAuthTx':
        return checker.check([{ key: StrKey.encodePreAuthTx(k.preAuthTx()), weight: 1 }], 1);
      default:
        return false;
    }
  });
}

function isBadSeq(inner: InnerTx, current: bigint, header: LedgerHeaderInfo): boolean {
  if (inner.seqNum === startingSequenceNumber(header.ledgerSeq)) return true;
  if (inner.minSeqNum !== undefined) return current < inner.minSeqNum || current >= inner.seqNum;
  return current === INT64_MAX || current + 1n !== inner.seqNum;
}

function isTooEarlyForAccount(inner: InnerTx, acc: AccountEntry, header: LedgerHeaderInfo): boolean {
  if (inner.minSeqAge > header.closeTime || header.closeTime - inner.minSeqAge < acc.seqTime) return true;
  const gap = inner.minSeqLedgerGap;
  return gap > header.ledgerSeq || header.ledgerSeq - gap < acc.seqLedger;
}

/** commonValidPreSeqNum + commonValid + per-operation checkValid + unused-signature check, for one transaction. */
function validateInner(inner: InnerTx, ltx: LedgerLayer, header: LedgerHeaderInfo, chargeFee: boolean): InnerCheck {
  if (inner.v0) return { code: 'txNotSupported' };
  if (!extraSignersValid(inner)) return { code: 'txMalformed' };
  if (inner.operations.length === 0) return { code: 'txMissingOperation' };
  const soroban = isSoroban(inner);
  if (soroban) {
    if (inner.operations.length !== 1 || inner.extV !== 1) return { code: 'txMalformed' };
    if (inner.resourceFee < 0n || inner.resourceFee > inner.fee) return { code: 'txSorobanInvalid' };
  } else if (inner.extV !== 0) {
    return { code: 'txMalformed' };
  }

  const tb = inner.timeBounds;
  const lb = inner.ledgerBounds;
  if ((tb && tb.minTime > 0n && tb.minTime > header.closeTime) || (lb && lb.minLedger > header.ledgerSeq)) {
    return { code: 'txTooEarly' };
  }
  if ((tb && tb.maxTime > 0n && tb.maxTime < header.closeTime) || (lb && lb.maxLedger !== 0 && lb.maxLedger <= header.ledgerSeq)) {
    return { code: 'txTooLate' };
  }
  const fee = inclusionFee(inner.fee, inner);
  if (chargeFee ? fee < header.baseFee * numOps(inner) : fee < 0n) return { code: 'txInsufficientFee' };

  const source = ltx.account(inner.source.id);
  if (!source) return { code: 'txNoAccount' };
  if (isBadSeq(inner, source.seqNum, header)) return { code: 'txBadSeq' };
  if (isTooEarlyForAccount(inner, source, header)) return { code: 'txBadMinSeqAgeOrGap' };

  const checker = new SignatureChecker(inner.hash, inner.signatures);
  if (!checker.check(accountSigners(source), source.thresholds[1])) return { code: 'txBadAuth' };
  if (!extraSignersSigned(inner, checker)) return { code: 'txBadAuth' };
  if (chargeFee && availableBalance(source) < inner.fee) return { code: 'txInsufficientBalance' };

  const opResults = inner.operations.map((op) => defaultOpResult(op.body));
  for (let i = 0; i < inner.operations.length; i += 1) {
    const op = inner.operations[i]!;
    const failure = checkOperation(op, inner, ltx, checker);
    if (failure) {
      opResults[i] = failure;
      return { code: 'txFailed', opResults };
    }
  }
  if (!checker.allSignaturesUsed()) return { code: 'txBadAuthExtra' };
  return null;
}

/** OperationFrame::checkValid at validation time: supported, signed by its source, well formed. */
function checkOperation(op: InnerTx['operations'][number], inner: InnerTx, ltx: LedgerLayer, checker: SignatureChecker): OpResult | null {
  const handler = handlerFor(op.body);
  if (!handler) return opOuter('opNotSupported');
  const body = bodyValue(op.body);
  const account = ltx.account(op.source.id);
  if (account) {
    const needed = account.thresholds[THRESHOLD_INDEX[handler.threshold(body)]];
    if (!checker.check(accountSigners(account), needed)) return opOuter('opBadAuth');
  } else {
    // An operation may name a source that an earlier operation creates; it must then be signed by that key.
    if (!op.explicitSource) return opOuter('opNoAccount');
    if (!checker.check([{ key: op.source.id, weight: 1 }], 0)) return opOuter('opBadAuth');
  }
  return handler.checkValid(body, { source: op.source, operationCount: inner.operations.length });
}

/**
 * checkValid for a submitted envelope against the current ledger state. Returns null when the transaction may be
 * applied, or the outcome to answer with (the transaction is then not included and nothing is charged).
 */
export function validateTransaction(tx: ParsedTx, ltx: LedgerLayer, header: LedgerHeaderInfo): TxOutcome | null {
  const BASE_FEE = header.baseFee;
  const feeCharged = validationFee(tx, BASE_FEE);
  if (!tx.feeBump) {
    const check = validateInner(tx.inner, ltx, header, true);
    return check ? { code: check.code, feeCharged, opResults: check.opResults } : null;
  }

  const fb = tx.feeBump;
  const inner = tx.inner;
  const outerInclusion = inclusionFee(fb.fee, inner);
  const outerMin = BASE_FEE * (numOps(inner) + 1n);
  if (outerInclusion < outerMin) return { code: 'txInsufficientFee', feeCharged };
  const innerInclusion = inclusionFee(inner.fee, inner);
  const innerMin = BASE_FEE * numOps(inner);
  if (innerInclusion >= 0n) {
    if (outerInclusion * innerMin < innerInclusion * outerMin) {
      const needed = (innerInclusion * outerMin + innerMin - 1n) / innerMin;
      return { code: 'txInsufficientFee', feeCharged: needed };
    }
  } else {
    return { code: 'txFeeBumpInnerFailed', feeCharged, inner: { hash: inner.hash, code: 'txInsufficientFee', feeCharged: 0n } };
  }
  const feeSource = ltx.account(fb.feeSource.id);
  if (!feeSource) return { code: 'txNoAccount', feeCharged };
  const checker = new SignatureChecker(fb.hash, fb.signatures);
  if (!checker.check(accountSigners(feeSource), feeSource.thresholds[1])) return { code: 'txBadAuth', feeCharged };
  if (availableBalance(feeSource) < fb.fee) return { code: 'txInsufficientBalance', feeCharged };
  if (!checker.allSignaturesUsed()) return { code: 'txBadAuthExtra', feeCharged };

  const check = validateInner(inner, ltx, header, false);
  if (!check) return null;
  return {
    code: 'txFeeBumpInnerFailed',
    feeCharged,
    opResults: check.opResults,
    inner: { hash: inner.hash, code: check.code, feeCharged: 0n },
  };
}

/** What applying a transaction produced, beyond the ledger writes it left in the open ledger layer. */
export interface AppliedTransaction {
  outcome: TxOutcome;
  successful: boolean;
  feeCharged: bigint;
  /** Per operation, what its application reported (null when not applied: transaction failed before it). */
  opOutcomes: Array<ApplyOutcome | null>;
  resultMetaXdr: string;
  feeMetaXdr: string;
}

/** Removes pre-authorized-transaction signers matching `hash` from the given accounts (they are one-time). */
function removeOneTimeSigners(ltx: LedgerLayer, accounts: Iterable<string>, hash: Buffer): void {
  const key = StrKey.encodePreAuthTx(hash);
  for (const id of accounts) {
    const acc = ltx.account(id);
    if (!acc) continue;
    const signer = acc.signers.find((s) => s.key === key);
    if (!signer) continue;
    if (signer.sponsor) {
      const sponsor = ltx.account(signer.sponsor)!;
      ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring - 1 });
    }
    const fresh = ltx.account(id)!;
    ltx.put({
      ...fresh,
      signers: fresh.signers.filter((s) => s.key !== key),
      numSubEntries: fresh.numSubEntries - 1,
      numSponsored: fresh.numSponsored - (signer.sponsor ? 1 : 0),
    });
  }
}

/**
 * Applies a validated transaction to `open` (the ledger being built): charges the fee, consumes the sequence
 * number, then applies every operation in its own layer; the operations' writes reach `open` only if all of them
 * succeed and no sponsorship is left open. A failed transaction keeps its fee and sequence number changes.
 */
export function applyTransaction(tx: ParsedTx, open: LedgerLayer, ctx: TxContext): AppliedTransaction {
  const { header } = ctx;
  const inner = tx.inner;

  // Fee: charged to the fee-bump's fee source or to the transaction's source, never below zero.
  const feeLayer = open.child();
  const feeSourceId = tx.feeBump ? tx.feeBump.feeSource.id : inner.source.id;
  const payer = feeLayer.account(feeSourceId)!;
  const due = chargedFee(tx, header.baseFee);
  const fee = due < payer.balance ? due : payer.balance;
  feeLayer.put({ ...payer, balance: payer.balance - fee, lastModifiedLedger: header.ledgerSeq });
  const feeMeta = layerChanges(feeLayer);
  feeLayer.commit();

  // Sequence number and one-time signers: kept whatever the operations do.
  const seqLayer = open.child();
  const source = seqLayer.account(inner.source.id)!;
  seqLayer.put({
    ...source,
    seqNum: inner.seqNum,
    seqLedger: header.ledgerSeq,
    seqTime: header.closeTime,
    lastModifiedLedger: header.ledgerSeq,
  });
  if (tx.feeBump) removeOneTimeSigners(seqLayer, [tx.feeBump.feeSource.id], tx.feeBump.hash);
  removeOneTimeSigners(seqLayer, new Set([inner.source.id, ...inner.operations.map((o) => o.source.id)]), inner.hash);
  const txChangesBefore = layerChanges(seqLayer);
  seqLayer.commit();

  const opsLayer = open.child();
  const opResults: OpResult[] = [];
  const opOutcomes: Array<ApplyOutcome | null> = [];
  const opMetas: xdr.OperationMeta[] = [];
  let soroban: ApplyOutcome['soroban'];
  let success = true;
  inner.operations.forEach((op, opIndex) => {
    const opLayer = opsLayer.child();
    let outcome: ApplyOutcome;
    if (!opLayer.account(op.source.id)) {
      outcome = { result: opOuter('opNoAccount') };
    } else {
      outcome = handlerFor(op.body)!.apply(bodyValue(op.body), {
        ltx: opLayer,
        header,
        source: op.source,
        txHash: inner.hash,
        txSourceId: inner.source.id,
        txSeqNum: inner.seqNum,
        opIndex,
        networkPassphrase: ctx.networkPassphrase,
        hostFunctions: ctx.hostFunctions,
      });
    }
    opResults.push(outcome.result);
    opOutcomes.push(outcome);
    if (outcome.result.success) {
      opMetas.push(new xdr.OperationMeta({ changes: layerChanges(opLayer) }));
      if (outcome.soroban) soroban = outcome.soroban;
      opLayer.commit();
    } else {
      success = false;
    }
  });

  let innerCode: TxCode = success ? 'txSuccess' : 'txFailed';
  if (success && hasOpenSponsorships(opsLayer)) {
    success = false;
    innerCode = 'txBadSponsorship';
  }
  if (success) opsLayer.commit();

  const meta = new xdr.TransactionMeta(
    3,
    new xdr.TransactionMetaV3({
      ext: new xdr.ExtensionPoint(0),
      txChangesBefore,
      operations: success ? opMetas : [],
      txChangesAfter: [],
      sorobanMeta:
        success && soroban
          ? new xdr.SorobanTransactionMeta({
              ext: new xdr.SorobanTransactionMetaExt(0),
              events: soroban.events,
              returnValue: soroban.returnValue,
              diagnosticEvents: [],
            })
          : null,
    }),
  );

  const outcome: TxOutcome = tx.feeBump
    ? {
        code: success ? 'txFeeBumpInnerSuccess' : 'txFeeBumpInnerFailed',
        feeCharged: fee,
        opResults: innerCode === 'txBadSponsorship' ? undefined : opResults,
        inner: { hash: inner.hash, code: innerCode, feeCharged: 0n },
      }
    : { code: innerCode, feeCharged: fee, opResults: innerCode === 'txBadSponsorship' ? undefined : opResults };

  return {
    outcome,
    successful: success,
    feeCharged: fee,
    opOutcomes: success ? opOutcomes : opOutcomes.map(() => null),
    resultMetaXdr: meta.toXDR('base64'),
    feeMetaXdr: xdrChanges(feeMeta),
  };
}

function xdrChanges(changes: xdr.LedgerEntryChange[]): string {
  // LedgerEntryChanges is a var-length array of LedgerEntryChange: a uint32 count, then each change.
  const count = Buffer.alloc(4);
  count.writeUInt32BE(changes.length);
  return Buffer.concat([count, ...changes.map((c) => c.toXDR())]).toString('base64');
}
