/**
 * What Horizon ingests from closed ledgers: ledgers, transactions (successful and failed) and operations, with the
 * accounts each one involves, queried the way Horizon's collection endpoints page them (by TOID, a cursor,
 * asc/desc and a limit).
 */

export interface TxRecord {
  /** The TOID (Horizon's paging token; Horizon's `id` field is the hash). */
  id: string;
  hash: string;
  innerHash?: string;
  ledger: number;
  index: number;
  createdAt: string;
  successful: boolean;
  envelopeXdr: string;
  resultXdr: string;
  resultMetaXdr: string;
  feeMetaXdr: string;
  sourceAccount: string;
  sourceAccountMuxed?: string;
  sourceAccountMuxedId?: string;
  sourceAccountSequence: string;
  feeAccount: string;
  feeAccountMuxed?: string;
  feeAccountMuxedId?: string;
  feeCharged: string;
  maxFee: string;
  operationCount: number;
  memoType: string;
  memo?: string;
  memoBytes?: string;
  signatures: string[];
  innerSignatures?: string[];
  innerMaxFee?: string;
  preconditions?: Record<string, unknown>;
  validAfter?: string;
  validBefore?: string;
  participants: string[];
}

export interface OpRecord {
  id: string;
  txHash: string;
  ledger: number;
  createdAt: string;
  successful: boolean;
  sourceAccount: string;
  sourceAccountMuxed?: string;
  sourceAccountMuxedId?: string;
  type: string;
  typeI: number;
  fields: Record<string, unknown>;
  participants: string[];
  isPayment: boolean;
}

export interface LedgerRecord {
  sequence: number;
  hash: string;
  prevHash: string;
  closedAt: string;
  successfulTransactionCount: number;
  failedTransactionCount: number;
  operationCount: number;
  txSetOperationCount: number;
  totalCoins: string;
  feePool: string;
  headerXdr: string;
}

export type Order = 'asc' | 'desc';

export interface PageQuery {
  cursor: bigint;
  order: Order;
  limit: number;
}

export interface RecordFilter {
  account?: string;
  ledger?: number;
  txHash?: string;
  includeFailed: boolean;
  paymentsOnly?: boolean;
}

const RECENT_EMPTY_LEDGERS = 1000;

function page<T extends { id: string }>(records: T[], q: PageQuery, keep: (r: T) => boolean): T[] {
  const out: T[] = [];
  if (q.order === 'asc') {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BigInt(records[mid]!.id) <= q.cursor) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < records.length && out.length < q.limit; i += 1) if (keep(records[i]!)) out.push(records[i]!);
  } else {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BigInt(records[mid]!.id) < q.cursor) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && out.length < q.limit; i -= 1) if (keep(records[i]!)) out.push(records[i]!);
  }
  return out;
}

export class History {
  readonly transactions: TxRecord[] = [];
  readonly operations: OpRecord[] = [];
  /** Ledgers that hold transactions (kept for good), plus the most recent empty ones. */
  private readonly ledgers = new Map<number, LedgerRecord>();
  private readonly recentEmpty: number[] = [];
  private readonly txByHash = new Map<string, TxRecord>();
  private readonly opsByTx = new Map<string, OpRecord[]>();

  addLedger(ledger: LedgerRecord, txs: TxRecord[], ops: OpRecord[]): void {
    this.ledgers.set(ledger.sequence, ledger);
    if (txs.length === 0 && ledger.sequence > 1) {
      this.recentEmpty.push(ledger.sequence);
      if (this.recentEmpty.length > RECENT_EMPTY_LEDGERS) this.ledgers.delete(this.recentEmpty.shift()!);
    }
    for (const tx of txs) {
      this.transactions.push(tx);
      this.txByHash.set(tx.hash, tx);
      if (tx.innerHash) this.txByHash.set(tx.innerHash, tx);
    }
    for (const op of ops) {
      this.operations.push(op);
      const list = this.opsByTx.get(op.txHash) ?? [];
      list.push(op);
      this.opsByTx.set(op.txHash, list);
    }
  }

  /** Reloads saved history (ledgers, transactions and operations in id order). */
  restore(ledgers: LedgerRecord[], transactions: TxRecord[], operations: OpRecord[]): void {
    const txsByLedger = new Map<number, TxRecord[]>();
    for (const t of transactions) txsByLedger.set(t.ledger, [...(txsByLedger.get(t.ledger) ?? []), t]);
    const opsByLedger = new Map<number, OpRecord[]>();
    for (const o of operations) opsByLedger.set(o.ledger, [...(opsByLedger.get(o.ledger) ?? []), o]);
    for (const l of [...ledgers].sort((a, b) => a.sequence - b.sequence)) {
      this.addLedger(l, txsByLedger.get(l.sequence) ?? [], opsByLedger.get(l.sequence) ?? []);
    }
  }

  transaction(hash: string): TxRecord | undefined {
    return this.txByHash.get(hash);
  }

  operation(id: string): OpRecord | undefined {
    const ops = this.operations;
    let lo = 0;
    let hi = ops.length;
    const target = BigInt(id);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const v = BigInt(ops[mid]!.id);
      if (v === target) return ops[mid];
      if (v < target) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  operationsOf(txHash: string): OpRecord[] {
    return this.opsByTx.get(txHash) ?? [];
  }

  ledger(sequence: number): LedgerRecord | undefined {
    return this.ledgers.get(sequence);
  }

  /** Ledgers kept, in sequence order (those with transactions and the recent empty ones). */
  ledgerList(): LedgerRecord[] {
    return [...this.ledgers.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /** Genesis and the ledgers that hold transactions: what is persisted. */
  persistentLedgers(): LedgerRecord[] {
    return this.ledgerList().filter((l) => l.sequence === 1 || l.successfulTransactionCount + l.failedTransactionCount > 0);
  }

  queryTransactions(q: PageQuery, f: RecordFilter): TxRecord[] {
    const txId = f.txHash ? this.txByHash.get(f.txHash)?.id : undefined;
    return page(this.transactions, q, (t) => {
      if (!f.includeFailed && !t.successful) return false;
      if (f.ledger !== undefined && t.ledger !== f.ledger) return false;
      if (f.account && !t.participants.includes(f.account)) return false;
      if (txId && t.id !== txId) return false;
      return true;
    });
  }

  queryOperations(q: PageQuery, f: RecordFilter): OpRecord[] {
    const tx = f.txHash ? this.txByHash.get(f.txHash) : undefined;
    return page(this.operations, q, (o) => {
      if (f.paymentsOnly && !o.isPayment) return false;
      if (!f.includeFailed && !o.successful) return false;
      if (f.ledger !== undefined && o.ledger !== f.ledger) return false;
      if (f.account && !o.participants.includes(f.account)) return false;
      if (f.txHash && (!tx || o.txHash !== tx.hash)) return false;
      return true;
    });
  }

  queryLedgers(q: PageQuery): Array<LedgerRecord & { id: string }> {
    const list = this.ledgerList().map((l) => ({ ...l, id: (BigInt(l.sequence) << 32n).toString() }));
    return page(list, q, () => true);
  }
}
