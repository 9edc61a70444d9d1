import { EventEmitter } from 'node:events';
import { Keypair, xdr } from '@stellar/stellar-sdk';
import { applyTransaction, validateTransaction, type AppliedTransaction } from './apply-transaction';
import { History, type LedgerRecord, type OpRecord, type TxRecord } from './history';
import { HostFunctionRegistry } from './host-functions';
import { TOTAL_COINS, buildLedgerHeader } from './ledger-header';
import { BASE_FEE, LedgerLayer, LedgerStore, newAccount } from './ledger-state';
import { bodyValue, handlerFor } from './operations';
import type { LedgerHeaderInfo } from './operations/types';
import { buildTransactionResult, type TxOutcome } from './results';
import { toid } from './toid';
import { queueVerdict, sourceAccountId } from './source-queue';
import { parseEnvelope, type ParsedTx } from './transaction-envelope';

/**
 * The sandbox network: the closed ledger everyone reads, the ledger being built, and the ledger clock. A
 * submitted transaction is validated and applied at once into the ledger being built (so later submissions in
 * the same ledger see it, as transactions in one transaction set do), and becomes visible, with its ledger number,
 * when that ledger closes. Ledgers close on a timer; `submit` resolves when the transaction's ledger has closed,
 * the way Horizon's synchronous submission answers once the transaction is ingested.
 */

export type SubmitResult =
  | { kind: 'malformed'; reason: string; envelopeXdr: string }
  | { kind: 'rejected'; outcome: TxOutcome; resultXdr: string; envelopeXdr: string; hash: string }
  | { kind: 'included'; record: TxRecord }
  /** Never went into a ledger (refused TRY_AGAIN_LATER, or replaced by fee): Horizon's wait for it times out. */
  | { kind: 'not_included'; hash: string; envelopeXdr: string };

export type Acceptance =
  | { kind: 'malformed'; reason: string; envelopeXdr: string }
  | { kind: 'rejected'; outcome: TxOutcome; resultXdr: string; envelopeXdr: string; hash: string }
  /** stellar-core's ADD_STATUS_TRY_AGAIN_LATER: not queued, nothing charged (see source-queue.ts). */
  | { kind: 'try_again_later'; hash: string; envelopeXdr: string }
  /** `done` gives the transaction's record when its ledger closes, null when it was dropped from the ledger being built. */
  | { kind: 'pending' | 'duplicate'; hash: string; done: Promise<TxRecord | null> };

interface PendingTx {
  parsed: ParsedTx;
  applied: AppliedTransaction;
  waiters: Array<(record: TxRecord | null) => void>;
}

export interface NetworkSnapshot {
  lastClosedLedger: number;
  lastClosedHash: string;
  lastCloseTime: string;
  feePool: string;
}

export interface SandboxNetworkOptions {
  networkPassphrase: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const isoSeconds = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

export class SandboxNetwork {
  readonly networkPassphrase: string;
  readonly store = new LedgerStore();
  readonly history = new History();
  readonly hostFunctions = new HostFunctionRegistry();
  readonly events = new EventEmitter();
  /** The network's root account, holding every lumen at genesis (its secret is derived from the passphrase). */
  readonly root: Keypair;

  private open: LedgerLayer;
  private pending: PendingTx[] = [];
  private lastClosed = 0;
  private lastHash = Buffer.alloc(32);
  private lastCloseTime = 0n;
  private feePool = 0n;
  /**
   * The base fee of the ledgers this network closes (stroops per operation). Real networks change it by validator
   * vote (stellar-core's LedgerUpgradeType LEDGER_UPGRADE_BASE_FEE); tests raise it to play a fee rise.
   */
  baseFee = BASE_FEE;
  private readonly log: NonNullable<SandboxNetworkOptions['log']>;

  constructor(options: SandboxNetworkOptions) {
    this.networkPassphrase = options.networkPassphrase;
    this.root = Keypair.master(options.networkPassphrase);
    this.open = new LedgerLayer(this.store);
    this.log = options.log ?? (() => undefined);
    this.events.setMaxListeners(0);
  }

  /** Genesis: ledger 1 holds the root account with all the lumens. */
  genesis(): void {
    const closeTime = nowSeconds();
    const root = newAccount(this.root.publicKey(), TOTAL_COINS, 0n, 1);
    this.store.applyWrites(new Map([[`account:${root.accountId}`, root]]));
    const header = buildLedgerHeader({
      sequence: 1,
      previousHash: Buffer.alloc(32),
      closeTime,
      resultPairs: [],
      envelopes: [],
      feePool: 0n,
    });
    this.lastClosed = 1;
    this.lastHash = Buffer.from(header.hash, 'hex');
    this.lastCloseTime = closeTime;
    this.history.addLedger(this.ledgerRecord(1, header, closeTime, [], []), [], []);
  }

  /**
   * Restores the ledger clock from a saved snapshot (entries and history are restored by the caller). The network
   * is taken to have kept closing (empty) ledgers while it was down, one per `ledgerIntervalMs`, so ledger
   * sequence numbers, and the cursors derived from them, only ever move forward.
   */
  restoreClock(snapshot: NetworkSnapshot, ledgerIntervalMs: number): void {
    const downFor = Date.now() - Number(snapshot.lastCloseTime) * 1000;
    const skipped = downFor > 0 ? Math.floor(downFor / ledgerIntervalMs) : 0;
    this.lastClosed = snapshot.lastClosedLedger + Math.min(skipped, 1_000_000);
    this.lastHash = Buffer.from(snapshot.lastClosedHash, 'hex');
    this.lastCloseTime = BigInt(snapshot.lastCloseTime);
    this.feePool = BigInt(snapshot.feePool);
  }

  snapshot(): NetworkSnapshot {
    return {
      lastClosedLedger: this.lastClosed,
      lastClosedHash: this.lastHash.toString('hex'),
      lastCloseTime: this.lastCloseTime.toString(),
      feePool: this.feePool.toString(),
    };
  }

  get latestLedger(): number {
    return this.lastClosed;
  }

  get latestCloseTime(): string {
    return isoSeconds(this.lastCloseTime);
  }

  /** The ledger being built: what validation and application see. */
  get openLedger(): LedgerLayer {
    return this.open;
  }

  private header(): LedgerHeaderInfo {
    const now = nowSeconds();
    return { ledgerSeq: this.lastClosed + 1, closeTime: now > this.lastCloseTime ? now : this.lastCloseTime, baseFee: this.baseFee };
  }

  /**
   * Takes a base64 TransactionEnvelope into the ledger being built. Validation and application happen here,
   * synchronously; a transaction already in a ledger, or already in the ledger being built, is a duplicate.
   */
  accept(envelopeXdr: string): Acceptance {
    const parsed = parseEnvelope(envelopeXdr, this.networkPassphrase);
    if (!parsed.ok) return { kind: 'malformed', reason: parsed.reason, envelopeXdr };
    const tx = parsed.tx;
    const hash = tx.hash.toString('hex');

    const existing = this.history.transaction(hash);
    if (existing && existing.hash === hash) return { kind: 'duplicate', hash, done: Promise.resolve(existing) };
    // TransactionQueue's isDuplicateTx: the same envelope, or the inner transaction of a pending fee bump.
    const inFlight = this.pending.find((p) => p.parsed.hash.equals(tx.hash) || (!tx.feeBump && p.parsed.inner.hash.equals(tx.hash)));
    if (inFlight) return { kind: 'duplicate', hash, done: new Promise((resolve) => inFlight.waiters.push(resolve)) };

    const header = this.header();
    const queued = this.pending.findIndex((p) => sourceAccountId(p.parsed) === sourceAccountId(tx));
    const verdict = queueVerdict(tx, this.pending[queued]?.parsed, header.baseFee);
    if (verdict.kind === 'try_again_later') {
      this.log('transaction refused: its source account has one pending', { hash, code: 'TRY_AGAIN_LATER' });
      return { kind: 'try_again_later', hash, envelopeXdr };
    }
    if (verdict.kind === 'error') return this.refused(verdict.outcome, envelopeXdr, hash);
    const layer = verdict.kind === 'replace' ? this.rebuiltWithout(queued, header) : this.open;
    const refusal = validateTransaction(tx, layer, header);
    if (refusal) return this.refused(refusal, envelopeXdr, hash);
    if (verdict.kind === 'replace') {
      const [replaced] = this.pending.splice(queued, 1);
      this.open = layer;
      replaced!.waiters.forEach((w) => w(null));
      this.log('transaction replaced by fee', { hash, replaced: replaced!.parsed.hash.toString('hex') });
    }
    const applied = applyTransaction(tx, this.open, {
      header,
      networkPassphrase: this.networkPassphrase,
      hostFunctions: this.hostFunctions,
    });
    this.log('transaction applied', { hash, ledger: header.ledgerSeq, successful: applied.successful });
    const done = new Promise<TxRecord | null>((resolve) => this.pending.push({ parsed: tx, applied, waiters: [resolve] }));
    return { kind: 'pending', hash, done };
  }

  private refused(outcome: TxOutcome, envelopeXdr: string, hash: string): Acceptance {
    this.log('transaction refused', { hash, code: outcome.code });
    return { kind: 'rejected', outcome, resultXdr: buildTransactionResult(outcome).toXDR('base64'), envelopeXdr, hash };
  }

  /**
   * The ledger being built as it would be without the pending transaction at `index` (a replacement by fee is judged
   * on it): the other pending transactions applied again, in order, onto a fresh layer. Those no longer valid there
   * are dropped from it when the replacement is taken, as stellar-core trims a transaction set of invalid transactions.
   */
  private rebuiltWithout(index: number, header: LedgerHeaderInfo): LedgerLayer {
    const layer = new LedgerLayer(this.store);
    const ctx = { header, networkPassphrase: this.networkPassphrase, hostFunctions: this.hostFunctions };
    const kept: PendingTx[] = [];
    this.pending.forEach((p, i) => {
      if (i === index) return void kept.push(p);
      if (validateTransaction(p.parsed, layer, header)) return p.waiters.forEach((w) => w(null));
      kept.push({ ...p, applied: applyTransaction(p.parsed, layer, ctx) });
    });
    this.pending = kept;
    return layer;
  }

  /** Whether `accountId` is the source of a transaction in the ledger being built (its next one must wait for a close). */
  hasPendingFrom(accountId: string): boolean {
    return this.pending.some((p) => sourceAccountId(p.parsed) === accountId);
  }

  /** Resolves when the next ledger closes. */
  nextClose(): Promise<void> {
    return new Promise((resolve) => this.events.once('ledger', () => resolve()));
  }

  /**
   * Horizon's synchronous submission: resolves once the transaction's ledger has closed (at once when the
   * envelope is malformed or refused by validation).
   */
  async submit(envelopeXdr: string): Promise<SubmitResult> {
    const accepted = this.accept(envelopeXdr);
    if (accepted.kind === 'malformed' || accepted.kind === 'rejected') return accepted;
    if (accepted.kind === 'try_again_later') {
      // Horizon's txsub takes core's TRY_AGAIN_LATER as submitted (txsub/submitter.go) and waits for the transaction
      // to appear in a ledger until its submission times out (504). It cannot be in any ledger: answered at the next close.
      await this.nextClose();
      return { kind: 'not_included', hash: accepted.hash, envelopeXdr };
    }
    const record = await accepted.done;
    return record ? { kind: 'included', record } : { kind: 'not_included', hash: accepted.hash, envelopeXdr };
  }

  /** Closes the ledger being built: its transactions get their ledger, ids and close time, and become visible. */
  closeLedger(): LedgerRecord {
    const sequence = this.lastClosed + 1;
    const now = nowSeconds();
    const closeTime = now > this.lastCloseTime ? now : this.lastCloseTime;
    const createdAt = isoSeconds(closeTime);
    const pending = this.pending;
    this.pending = [];

    const txRecords: TxRecord[] = [];
    const opRecords: OpRecord[] = [];
    const resultPairs: Buffer[] = [];
    pending.forEach((p, i) => {
      const { tx, ops, resultXdr } = this.records(p, sequence, i + 1, createdAt);
      txRecords.push(tx);
      opRecords.push(...ops);
      resultPairs.push(
        new xdr.TransactionResultPair({
          transactionHash: p.parsed.hash,
          result: xdr.TransactionResult.fromXDR(resultXdr, 'base64'),
        }).toXDR(),
      );
      this.feePool += p.applied.feeCharged;
    });

    this.open.commit();
    this.open = new LedgerLayer(this.store);

    const header = buildLedgerHeader({
      sequence,
      previousHash: this.lastHash,
      closeTime,
      resultPairs,
      envelopes: pending.map((p) => Buffer.from(p.parsed.envelopeXdr, 'base64')),
      feePool: this.feePool,
    });
    const ledger = this.ledgerRecord(sequence, header, closeTime, txRecords, opRecords);
    this.history.addLedger(ledger, txRecords, opRecords);
    this.lastClosed = sequence;
    this.lastHash = Buffer.from(header.hash, 'hex');
    this.lastCloseTime = closeTime;

    pending.forEach((p, i) => p.waiters.forEach((w) => w(txRecords[i]!)));
    this.events.emit('ledger', ledger, txRecords.length > 0);
    return ledger;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  private ledgerRecord(
    sequence: number,
    header: { hash: string; headerXdr: string },
    closeTime: bigint,
    txs: TxRecord[],
    ops: OpRecord[],
  ): LedgerRecord {
    const successful = txs.filter((t) => t.successful);
    return {
      sequence,
      hash: header.hash,
      prevHash: this.lastHash.toString('hex'),
      closedAt: isoSeconds(closeTime),
      successfulTransactionCount: successful.length,
      failedTransactionCount: txs.length - successful.length,
      operationCount: ops.filter((o) => o.successful).length,
      txSetOperationCount: ops.length,
      totalCoins: TOTAL_COINS.toString(),
      feePool: this.feePool.toString(),
      headerXdr: header.headerXdr,
    };
  }

  /** Horizon's transaction and operation records for an applied transaction. */
  private records(p: PendingTx, ledger: number, index: number, createdAt: string): { tx: TxRecord; ops: OpRecord[]; resultXdr: string } {
    const { parsed, applied } = p;
    const inner = parsed.inner;
    const resultXdr = buildTransactionResult(applied.outcome).toXDR('base64');
    const all = inner.operations.map((o) => ({ body: o.body, source: o.source }));

    const ops: OpRecord[] = inner.operations.map((op, j) => {
      const handler = handlerFor(op.body)!;
      const description = handler.describe(bodyValue(op.body), { source: op.source, opIndex: j, all });
      const outcome = applied.opOutcomes[j];
      const participants = new Set([...description.participants, ...(outcome?.participants ?? [])]);
      return {
        id: toid(ledger, index, j + 1).toString(),
        txHash: parsed.hash.toString('hex'),
        ledger,
        createdAt,
        successful: applied.successful,
        sourceAccount: op.source.id,
        sourceAccountMuxed: op.source.muxed,
        sourceAccountMuxedId: op.source.muxedId,
        type: description.type,
        typeI: description.typeI,
        fields: { ...description.fields, ...(outcome?.recordFields ?? {}) },
        participants: [...participants],
        isPayment: description.isPayment || Boolean(outcome?.isPayment),
      };
    });

    const participants = new Set<string>([inner.source.id, ...ops.flatMap((o) => o.participants)]);
    if (parsed.feeBump) participants.add(parsed.feeBump.feeSource.id);
    const memo = renderMemo(inner.memo);
    const tb = inner.timeBounds;
    const preconditions: Record<string, unknown> = {};
    if (tb) preconditions.timebounds = { min_time: tb.minTime.toString(), ...(tb.maxTime > 0n ? { max_time: tb.maxTime.toString() } : {}) };
    if (inner.ledgerBounds)
      preconditions.ledgerbounds = { min_ledger: inner.ledgerBounds.minLedger, max_ledger: inner.ledgerBounds.maxLedger };
    if (inner.minSeqNum !== undefined) preconditions.min_account_sequence = inner.minSeqNum.toString();
    if (inner.minSeqAge > 0n) preconditions.min_account_sequence_age = inner.minSeqAge.toString();
    if (inner.minSeqLedgerGap > 0) preconditions.min_account_sequence_ledger_gap = inner.minSeqLedgerGap;

    const tx: TxRecord = {
      id: toid(ledger, index).toString(),
      hash: parsed.hash.toString('hex'),
      innerHash: parsed.feeBump ? inner.hash.toString('hex') : undefined,
      ledger,
      index,
      createdAt,
      successful: applied.successful,
      envelopeXdr: parsed.envelopeXdr,
      resultXdr,
      resultMetaXdr: applied.resultMetaXdr,
      feeMetaXdr: applied.feeMetaXdr,
      sourceAccount: inner.source.id,
      sourceAccountMuxed: inner.source.muxed,
      sourceAccountMuxedId: inner.source.muxedId,
      sourceAccountSequence: inner.seqNum.toString(),
      feeAccount: parsed.feeBump ? parsed.feeBump.feeSource.id : inner.source.id,
      feeAccountMuxed: parsed.feeBump ? parsed.feeBump.feeSource.muxed : inner.source.muxed,
      feeAccountMuxedId: parsed.feeBump ? parsed.feeBump.feeSource.muxedId : inner.source.muxedId,
      feeCharged: applied.feeCharged.toString(),
      maxFee: (parsed.feeBump ? parsed.feeBump.fee : inner.fee).toString(),
      operationCount: inner.operations.length,
      memoType: memo.type,
      memo: memo.value,
      memoBytes: memo.bytes,
      signatures: (parsed.feeBump ? parsed.feeBump.signatures : inner.signatures).map((s) => Buffer.from(s.signature()).toString('base64')),
      innerSignatures: parsed.feeBump ? inner.signatures.map((s) => Buffer.from(s.signature()).toString('base64')) : undefined,
      innerMaxFee: parsed.feeBump ? inner.fee.toString() : undefined,
      preconditions: Object.keys(preconditions).length ? preconditions : undefined,
      validAfter: tb ? isoSeconds(tb.minTime) : undefined,
      validBefore: tb && tb.maxTime > 0n ? isoSeconds(tb.maxTime) : undefined,
      participants: [...participants],
    };
    return { tx, ops, resultXdr };
  }

  /** Account ids with an entry in the ledger being built (for friendbot's "already funded" check). */
  accountExists(id: string): boolean {
    return Boolean(this.open.account(id));
  }
}

function renderMemo(memo: xdr.Memo): { type: string; value?: string; bytes?: string } {
  switch (memo.switch().name) {
    case 'memoText': {
      const raw = memo.text() as unknown as Buffer | string;
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
      return { type: 'text', value: bytes.toString('utf8'), bytes: bytes.toString('base64') };
    }
    case 'memoId':
      return { type: 'id', value: memo.id().toString() };
    case 'memoHash':
      return { type: 'hash', value: Buffer.from(memo.hash()).toString('base64') };
    case 'memoReturn':
      return { type: 'return', value: Buffer.from(memo.retHash()).toString('base64') };
    default:
      return { type: 'none' };
  }
}
