import type { Pool } from 'pg';
import { postEntry } from './post-entry';
import type { EntryInput, PostedEntry } from './types';
import { positive, userId } from './validate';

export interface ReservationInput extends EntryInput {
  userId: string;
  amount: bigint;
}

/** Sets funds aside for an order: `available` → `reserved`. INSUFFICIENT_FUNDS when available is short. */
export async function reserve(pool: Pool, input: ReservationInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const user = userId(input.userId, 'userId');
  return postEntry(pool, {
    ...input,
    type: 'reserve',
    legs: [
      { account: { userId: user, bucket: 'available' }, amount: -amount },
      { account: { userId: user, bucket: 'reserved' }, amount },
    ],
  });
}

/** Gives reserved funds back: `reserved` → `available`. */
export async function releaseReservation(pool: Pool, input: ReservationInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const user = userId(input.userId, 'userId');
  return postEntry(pool, {
    ...input,
    type: 'reservation_release',
    legs: [
      { account: { userId: user, bucket: 'reserved' }, amount: -amount },
      { account: { userId: user, bucket: 'available' }, amount },
    ],
  });
}
