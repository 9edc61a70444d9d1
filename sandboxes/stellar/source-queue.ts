import { validationFee } from './apply-transaction';
import type { TxOutcome } from './results';
import type { ParsedTx } from './transaction-envelope';

/**
 * stellar-core's rule of one pending transaction per source account (src/herder/TransactionQueue.cpp in
 * stellar/stellar-core, `TransactionQueue::canAdd`, since the queue keeps a single `mTransaction` per account state).
 * The account is the transaction's source: for a fee bump, the INNER transaction's source (FeeBumpTransactionFrame's
 * getSourceID); the fee source only counts for the balance the queue reserves for fees, so one account may pay the fees
 * of any number of pending transactions whose sources differ.
 *
 * With a transaction of that source already pending, a new one is:
 * - DUPLICATE when it is the same (hash, or the inner transaction of the pending fee bump): checked by the caller;
 * - ERROR txBAD_SEQ when its sequence number is below the pending one's;
 * - TRY_AGAIN_LATER when it is not a fee bump, or a fee bump of another sequence number;
 * - a replacement (replace-by-fee) when it is a fee bump of the same sequence number bidding at least FEE_MULTIPLIER
 *   (10) times the pending one's inclusion fee per operation; ERROR txINSUFFICIENT_FEE otherwise, `feeCharged` then
 *   being the least full fee that would replace it.
 */
export type QueueVerdict = { kind: 'admit' } | { kind: 'try_again_later' } | { kind: 'error'; outcome: TxOutcome } | { kind: 'replace' };

/** TransactionQueue::FEE_MULTIPLIER. */
export const FEE_MULTIPLIER = 10n;

const SOROBAN_OPS = new Set(['invokeHostFunction', 'extendFootprintTtl', 'restoreFootprint']);
const resourceFee = (tx: ParsedTx) => (tx.inner.operations.some((o) => SOROBAN_OPS.has(o.body.switch().name)) ? tx.inner.resourceFee : 0n);
/** getFullFee: the fee bid of the envelope (the outer bid of a fee bump). */
const fullFee = (tx: ParsedTx) => (tx.feeBump ? tx.feeBump.fee : tx.inner.fee);
/** getInclusionFee: the full fee less the Soroban resource fee. */
const inclusionFee = (tx: ParsedTx) => fullFee(tx) - resourceFee(tx);
/** getNumOperations: a fee bump counts one more than its inner transaction's operations. */
const numOps = (tx: ParsedTx) => BigInt(Math.max(1, tx.inner.operations.length + (tx.feeBump ? 1 : 0)));

export function sourceAccountId(tx: ParsedTx): string {
  return tx.inner.source.id;
}

export function queueVerdict(tx: ParsedTx, pending: ParsedTx | undefined, baseFee: bigint): QueueVerdict {
  if (!pending) return { kind: 'admit' };
  if (tx.inner.seqNum < pending.inner.seqNum)
    return { kind: 'error', outcome: { code: 'txBadSeq', feeCharged: validationFee(tx, baseFee) } };
  if (!tx.feeBump || tx.inner.seqNum !== pending.inner.seqNum) return { kind: 'try_again_later' };
  // canReplaceByFee: newFee * oldNumOps >= FEE_MULTIPLIER * oldFee * newNumOps, on inclusion fees.
  const least = FEE_MULTIPLIER * inclusionFee(pending) * numOps(tx);
  if (inclusionFee(tx) >= 0n && inclusionFee(tx) * numOps(pending) >= least) return { kind: 'replace' };
  const minFee = (least + numOps(pending) - 1n) / numOps(pending) + resourceFee(tx);
  return { kind: 'error', outcome: { code: 'txInsufficientFee', feeCharged: minFee } };
}
