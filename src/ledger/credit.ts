import type { Pool } from 'pg';
import { AppError } from '../errors';
import { postEntry } from './post-entry';
import type { EntryInput, PostedEntry, SystemBucket } from './types';
import { positive, userId } from './validate';

/** How money arrived, and so which outside-money account it comes from. */
export const CREDIT_SOURCES = {
  deposit: 'stellar_custody', // received on Stellar
  top_up: 'airtm_clearing', // paid in through Airtm
  on_ramp: 'onramp', // bought through the on-ramp provider
} as const satisfies Record<string, SystemBucket>;
export type CreditKind = keyof typeof CREDIT_SOURCES;

export interface CreditInput extends EntryInput {
  kind: CreditKind;
  userId: string;
  amount: bigint;
}

/** Money that came in from outside: its rail's account → the user's `available`. Entry type = `kind`. */
export async function credit(pool: Pool, input: CreditInput): Promise<PostedEntry> {
  const source = CREDIT_SOURCES[input.kind];
  if (!source) throw new AppError('VALIDATION_ERROR', 'kind must be deposit, top_up or on_ramp', { field: 'kind' });
  const amount = positive(input.amount);
  return postEntry(pool, {
    ...input,
    type: input.kind,
    legs: [
      { account: { system: source }, amount: -amount },
      { account: { userId: userId(input.userId, 'userId'), bucket: 'available' }, amount },
    ],
  });
}
