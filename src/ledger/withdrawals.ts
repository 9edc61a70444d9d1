import type { Pool } from 'pg';
import { AppError } from '../errors';
import { postEntry } from './post-entry';
import type { EntryInput, PostedEntry, SystemBucket } from './types';
import { positive, userId } from './validate';

/** The rail a withdrawal is paid out through, and so the outside-money account it goes to. */
export const WITHDRAWAL_RAILS = {
  stellar: 'stellar_custody',
  airtm: 'airtm_clearing',
} as const satisfies Record<string, SystemBucket>;
export type WithdrawalRail = keyof typeof WITHDRAWAL_RAILS;

export interface WithdrawalInput extends EntryInput {
  userId: string;
  amount: bigint;
}

export interface FinalizeWithdrawalInput extends WithdrawalInput {
  rail: WithdrawalRail;
}

/** Takes funds out of reach while a withdrawal is in flight: `available` → `withdrawing`. */
export async function holdForWithdrawal(pool: Pool, input: WithdrawalInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const user = userId(input.userId, 'userId');
  return postEntry(pool, {
    ...input,
    type: 'withdrawal_hold',
    legs: [
      { account: { userId: user, bucket: 'available' }, amount: -amount },
      { account: { userId: user, bucket: 'withdrawing' }, amount },
    ],
  });
}

/** The payout went through: `withdrawing` → the rail's outside-money account; the money has left. */
export async function finalizeWithdrawal(pool: Pool, input: FinalizeWithdrawalInput): Promise<PostedEntry> {
  const destination = WITHDRAWAL_RAILS[input.rail];
  if (!destination) throw new AppError('VALIDATION_ERROR', 'rail must be stellar or airtm', { field: 'rail' });
  const amount = positive(input.amount);
  return postEntry(pool, {
    ...input,
    type: 'withdrawal_finalize',
    legs: [
      { account: { userId: userId(input.userId, 'userId'), bucket: 'withdrawing' }, amount: -amount },
      { account: { system: destination }, amount },
    ],
  });
}

/** The payout failed or was cancelled: `withdrawing` → `available`. */
export async function reverseWithdrawal(pool: Pool, input: WithdrawalInput): Promise<PostedEntry> {
  const amount = positive(input.amount);
  const user = userId(input.userId, 'userId');
  return postEntry(pool, {
    ...input,
    type: 'withdrawal_reverse',
    legs: [
      { account: { userId: user, bucket: 'withdrawing' }, amount: -amount },
      { account: { userId: user, bucket: 'available' }, amount },
    ],
  });
}
