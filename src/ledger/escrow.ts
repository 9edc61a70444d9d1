import type { Pool } from 'pg';
import { postEntry, type Leg } from './post-entry';
import type { EntryInput, PostedEntry } from './types';
import { feeWithin, positive, userId } from './validate';

/**
 * Funds in escrow stay in the buyer's own `escrow` bucket until released or refunded, so the buyer's `held`
 * is a sum of their own rows.
 */
export interface MoveToEscrowInput extends EntryInput {
  buyerId: string;
  amount: bigint;
}

/** Commits reserved funds to an order's escrow: buyer `reserved` → buyer `escrow`. */
export async function moveToEscrow(pool: Pool, input: MoveToEscrowInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const buyer = userId(input.buyerId, 'buyerId');
  return postEntry(pool, {
    ...input,
    type: 'escrow_fund',
    legs: [
      { account: { userId: buyer, bucket: 'reserved' }, amount: -amount },
      { account: { userId: buyer, bucket: 'escrow' }, amount },
    ],
  });
}

/**
 * Fees taken from one payout out of escrow. `fee` is the platform's (credited to `fees`); `protocolFee` is Trustless
 * Work's, paid on chain out of custody, so it is credited back to `stellar_custody` (money that left us), like a
 * withdrawal. The recipient gets the payout less both.
 */
export interface PayoutFees {
  fee?: bigint;
  protocolFee?: bigint;
}

export interface SettleEscrowInput extends EntryInput, PayoutFees {
  buyerId: string;
  sellerId: string;
  /** Taken from the buyer's escrow; the seller receives `amount - fee - protocolFee`. */
  amount: bigint;
  fee: bigint;
}

/** Pays the seller: buyer `escrow` → seller `available`, each fee as its own posting. */
export async function settleEscrow(pool: Pool, input: SettleEscrowInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  return postEntry(pool, {
    ...input,
    type: 'escrow_release',
    legs: [
      { account: { userId: userId(input.buyerId, 'buyerId'), bucket: 'escrow' }, amount: -amount },
      ...payoutLegs(userId(input.sellerId, 'sellerId'), amount, input),
    ],
  });
}

export interface RefundEscrowInput extends EntryInput, PayoutFees {
  buyerId: string;
  amount: bigint;
}

/** Returns escrowed funds: buyer `escrow` → buyer `available` (less the fees a refund paid through the contract bore). */
export async function refundEscrow(pool: Pool, input: RefundEscrowInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const buyer = userId(input.buyerId, 'buyerId');
  return postEntry(pool, {
    ...input,
    type: 'escrow_refund',
    legs: [{ account: { userId: buyer, bucket: 'escrow' }, amount: -amount }, ...payoutLegs(buyer, amount, input)],
  });
}

export interface SplitEscrowInput extends EntryInput {
  buyerId: string;
  sellerId: string;
  /** Part released to the seller (the fee is taken from it). */
  releaseAmount: bigint;
  /** Part refunded to the buyer. */
  refundAmount: bigint;
  /** Platform fee on the released part. */
  fee: bigint;
  /** Trustless Work's fee on the released part. */
  protocolFee?: bigint;
  /** Fees on the refunded part, when the refund is paid out through the contract too. */
  refundFees?: PayoutFees;
}

/**
 * Ends a dispute with a split: buyer `escrow` loses release + refund; the seller gets `releaseAmount` less its fees,
 * the buyer's `available` gets `refundAmount` less its fees, each fee on its own line. Either part may be zero, not both.
 */
export async function splitEscrow(pool: Pool, input: SplitEscrowInput): Promise<PostedEntry> {
  const release = input.releaseAmount === 0n ? 0n : positive(input.releaseAmount, 'releaseAmount');
  const refund = input.refundAmount === 0n ? 0n : positive(input.refundAmount, 'refundAmount');
  const total = positive(release + refund, 'releaseAmount + refundAmount');
  const buyer = userId(input.buyerId, 'buyerId');
  return postEntry(pool, {
    ...input,
    type: 'escrow_split',
    // Both parts may pay fees: postEntry merges legs on the same account, so each fee posts as one line.
    legs: [
      { account: { userId: buyer, bucket: 'escrow' }, amount: -total },
      ...payoutLegs(userId(input.sellerId, 'sellerId'), release, { fee: input.fee, protocolFee: input.protocolFee }),
      ...payoutLegs(buyer, refund, input.refundFees ?? {}),
    ],
  });
}

function payoutLegs(recipient: string, amount: bigint, fees: PayoutFees): Leg[] {
  const fee = feeWithin(fees.fee ?? 0n, amount);
  const protocolFee = feeWithin(fees.protocolFee ?? 0n, amount - fee, 'protocolFee');
  return (
    [
      { account: { userId: recipient, bucket: 'available' }, amount: amount - fee - protocolFee },
      { account: { system: 'fees' }, amount: fee },
      { account: { system: 'stellar_custody' }, amount: protocolFee },
    ] satisfies Leg[]
  ).filter((l) => l.amount !== 0n);
}
