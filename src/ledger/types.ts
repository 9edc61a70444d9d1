import type { Currency } from '../money';
import type { systemBuckets, userBuckets } from '../db/schema/ledger';

export type UserBucket = (typeof userBuckets)[number];
export type SystemBucket = (typeof systemBuckets)[number];

/** A user's bucket or a system account (whose shard the ledger picks). Currency comes from the entry. */
export type AccountRef = { userId: string; bucket: UserBucket } | { system: SystemBucket };

/** The resource a movement belongs to, e.g. `{type: 'order', id: 'ord_1'}`. */
export interface Related {
  type: string;
  id: string;
}

export const ENTRY_TYPES = [
  'deposit',
  'top_up',
  'on_ramp',
  'reserve',
  'reservation_release',
  'escrow_fund',
  'escrow_release',
  'escrow_refund',
  'escrow_split',
  'withdrawal_hold',
  'withdrawal_finalize',
  'withdrawal_reverse',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** What every operation's input carries besides its amounts and parties. */
export interface EntryInput {
  /** Business key, unique across the ledger (`order:ord_1:reserve`); posting it again moves nothing. 1–200 chars. */
  key: string;
  currency: Currency;
  related?: Related;
  /** Free-form facts kept with the entry (provider references, reasons). */
  metadata?: Record<string, unknown>;
}

export interface Posting {
  account: { userId: string; bucket: UserBucket } | { system: SystemBucket; shard: number };
  /** Signed minor units: positive raises the account's balance. */
  amount: bigint;
  balanceAfter: bigint;
}

/** The stored movement an operation produced; `replayed` is true when the key had been posted before. */
export interface PostedEntry {
  id: string;
  key: string;
  type: string;
  currency: Currency;
  related: Related | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  postings: Posting[];
  replayed: boolean;
}
