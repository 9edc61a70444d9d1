import { FeeBumpTransaction, StrKey, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import { toBigInt } from './amounts';
import { readMuxed } from './accounts';
import type { AccountRef } from './operations/types';

/** A submitted envelope, decoded: the transaction that carries the operations, and the fee-bump around it. */
export interface ParsedTx {
  envelopeXdr: string;
  envelope: xdr.TransactionEnvelope;
  /** The hash of what was submitted: the fee-bump hash for fee-bump envelopes. */
  hash: Buffer;
  inner: InnerTx;
  feeBump?: FeeBumpPart;
}

export interface FeeBumpPart {
  hash: Buffer;
  feeSource: AccountRef;
  fee: bigint;
  signatures: xdr.DecoratedSignature[];
}

export interface TxOperation {
  body: xdr.OperationBody;
  source: AccountRef;
  explicitSource: boolean;
}

export interface InnerTx {
  hash: Buffer;
  v0: boolean;
  source: AccountRef;
  fee: bigint;
  seqNum: bigint;
  signatures: xdr.DecoratedSignature[];
  operations: TxOperation[];
  memo: xdr.Memo;
  timeBounds?: { minTime: bigint; maxTime: bigint };
  ledgerBounds?: { minLedger: number; maxLedger: number };
  minSeqNum?: bigint;
  minSeqAge: bigint;
  minSeqLedgerGap: number;
  extraSigners: xdr.SignerKey[];
  /** 1 when the transaction carries SorobanTransactionData. */
  extV: number;
  resourceFee: bigint;
}

export type ParseResult = { ok: true; tx: ParsedTx } | { ok: false; reason: string };

function readOperations(ops: xdr.Operation[], txSource: AccountRef): TxOperation[] {
  return ops.map((op) => {
    const src = op.sourceAccount();
    return { body: op.body(), source: src ? readMuxed(src) : txSource, explicitSource: Boolean(src) };
  });
}

function timeBoundsOf(tb: xdr.TimeBounds): { minTime: bigint; maxTime: bigint } {
  return { minTime: toBigInt(tb.minTime()), maxTime: toBigInt(tb.maxTime()) };
}

function readV1(tx: xdr.Transaction, hash: Buffer, signatures: xdr.DecoratedSignature[]): InnerTx {
  const source = readMuxed(tx.sourceAccount());
  const inner: InnerTx = {
    hash,
    v0: false,
    source,
    fee: BigInt(tx.fee()),
    seqNum: toBigInt(tx.seqNum()),
    signatures,
    operations: readOperations(tx.operations(), source),
    memo: tx.memo(),
    minSeqAge: 0n,
    minSeqLedgerGap: 0,
    extraSigners: [],
    extV: tx.ext().switch(),
    resourceFee: tx.ext().switch() === 1 ? toBigInt(tx.ext().sorobanData().resourceFee()) : 0n,
  };
  const cond = tx.cond();
  switch (cond.switch().name) {
    case 'precondTime': {
      const tb = cond.timeBounds();
      inner.timeBounds = timeBoundsOf(tb);
      break;
    }
    case 'precondV2': {
      const v2 = cond.v2();
      const tb = v2.timeBounds();
      if (tb) inner.timeBounds = timeBoundsOf(tb);
      const lb = v2.ledgerBounds();
      if (lb) inner.ledgerBounds = { minLedger: lb.minLedger(), maxLedger: lb.maxLedger() };
      const minSeq = v2.minSeqNum();
      if (minSeq !== null && minSeq !== undefined) inner.minSeqNum = toBigInt(minSeq);
      inner.minSeqAge = toBigInt(v2.minSeqAge());
      inner.minSeqLedgerGap = v2.minSeqLedgerGap();
      inner.extraSigners = v2.extraSigners();
      break;
    }
    default:
      break;
  }
  return inner;
}

function readV0(tx: xdr.TransactionV0, hash: Buffer, signatures: xdr.DecoratedSignature[]): InnerTx {
  const source: AccountRef = { id: StrKey.encodeEd25519PublicKey(tx.sourceAccountEd25519()) };
  const tb = tx.timeBounds();
  return {
    hash,
    v0: true,
    source,
    fee: BigInt(tx.fee()),
    seqNum: toBigInt(tx.seqNum()),
    signatures,
    operations: readOperations(tx.operations(), source),
    memo: tx.memo(),
    timeBounds: tb ? timeBoundsOf(tb) : undefined,
    minSeqAge: 0n,
    minSeqLedgerGap: 0,
    extraSigners: [],
    extV: 0,
    resourceFee: 0n,
  };
}

/**
 * Decodes a base64 TransactionEnvelope and computes its hashes for `networkPassphrase` (a transaction signed for
 * another network decodes fine and then fails its signature checks, as on a real network).
 */
export function parseEnvelope(envelopeXdr: string, networkPassphrase: string): ParseResult {
  let envelope: xdr.TransactionEnvelope;
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(envelopeXdr) || envelopeXdr.length === 0) return { ok: false, reason: 'not base64' };
    envelope = xdr.TransactionEnvelope.fromXDR(envelopeXdr, 'base64');
    if (envelope.toXDR('base64') !== envelopeXdr) return { ok: false, reason: 'trailing or non-canonical bytes' };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  try {
    const built = TransactionBuilder.fromXDR(envelope, networkPassphrase);
    if (built instanceof FeeBumpTransaction) {
      const fb = envelope.feeBump();
      const innerEnv = fb.tx().innerTx().v1();
      const inner = readV1(innerEnv.tx(), built.innerTransaction.hash(), innerEnv.signatures());
      const hash = built.hash();
      return {
        ok: true,
        tx: {
          envelopeXdr,
          envelope,
          hash,
          inner,
          feeBump: {
            hash,
            feeSource: readMuxed(fb.tx().feeSource()),
            fee: toBigInt(fb.tx().fee()),
            signatures: fb.signatures(),
          },
        },
      };
    }
    const hash = built.hash();
    const inner =
      envelope.switch().name === 'envelopeTypeTxV0'
        ? readV0(envelope.v0().tx(), hash, envelope.v0().signatures())
        : readV1(envelope.v1().tx(), hash, envelope.v1().signatures());
    return { ok: true, tx: { envelopeXdr, envelope, hash, inner } };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
