import type { Pool } from 'pg';
import { postEntry, Leg } from './post-entry';
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

export interface SettleEscrowInput extends EntryInput {
  buyerId: string;
  sellerId: string;
  /** Taken from the buyer's escrow; the seller receives `amount - fee`. */
  amount: bigint;
  fee: bigint;
}

/** Pays the seller: buyer `escrow` → seller `available`, the fee as its own posting to `fees`. */
export async function settleEscrow(pool: Pool, input: SettleEscrowInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const fee = feeWithin(input.fee, amount);
  return postEntry(pool, {
    ...input,
    type: 'escrow_release',
    legs: [
      { account: { userId: userId(input.buyerId, 'buyerId'), bucket: 'escrow' }, amount: -amount },
      ...releaseLegs(userId(input.sellerId, 'sellerId'), amount, fee),
    ],
  });
}

export interface RefundEscrowInput extends EntryInput {
  buyerId: string;
  amount: bigint;
}

/** Returns escrowed funds: buyer `escrow` → buyer `available`. */
export async function refundEscrow(pool: Pool, input: RefundEscrowInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const buyer = userId(input.buyerId, 'buyerId');
  return postEntry(pool, {
    ...input,
    type: 'escrow_refund',
    legs: [
      { account: { userId: buyer, bucket: 'escrow' }, amount: -amount },
      { account: { userId: buyer, bucket: 'available' }, amount },
    ],
  });
}

export interface SplitEscrowInput extends EntryInput {
  buyerId: string;
  sellerId: string;
  /** Part released to the seller (the fee is taken from it). */
  releaseAmount: bigint;
  /** Part refunded to the buyer. */
  refundAmount: bigint;
  fee: bigint;
}

/**
 * Ends a dispute with a split: buyer `escrow` loses release + refund; the seller gets `releaseAmount - fee`,
 * `fees` gets the fee, the buyer's `available` gets `refundAmount`. Either part may be zero, not both.
 */
export async function splitEscrow(pool: Pool, input: SplitEscrowInput): Promise<PostedEntry> {
  const release = input.releaseAmount === 0n ? 0n : positive(input.releaseAmount, 'releaseAmount');
  const refund = input.refundAmount === 0n ? 0n : positive(input.refundAmount, 'refundAmount');
  const total = positive(release + refund, 'releaseAmount + refundAmount');
  const fee = feeWithin(input.fee, release);
  const buyer = userId(input.buyerId, 'buyerId');
  return postEntry(pool, {
    ...input,
    type: 'escrow_split',
    legs: ([
      { account: { userId: buyer, bucket: 'escrow' }, amount: -total },
      ...releaseLegs(userId(input.sellerId, 'sellerId'), release, fee),
      { account: { userId: buyer, bucket: 'available' }, amount: refund },
    ] satisfies Leg[]).filter((l) => l.amount !== 0n),
  });
}

function releaseLegs(seller: string, amount: bigint, fee: bigint): Leg[] {
  const legs: Leg[] = [{ account: { userId: seller, bucket: 'available' }, amount: amount - fee }];
  if (fee > 0n) legs.push({ account: { system: 'fees' }, amount: fee });
  return legs.filter((l) => l.amount !== 0n);
}
