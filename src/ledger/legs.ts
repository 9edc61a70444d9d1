import type { ResolvedRef } from './accounts';

/** One leg of an entry on a concrete account row: its id, what it is, and the signed minor units it moves. */
export interface AccountLeg {
  id: bigint;
  ref: ResolvedRef;
  amount: bigint;
}

/**
 * The one place legs are merged: folds legs on the same account row together, drops those that net to zero and
 * orders the rest by account id (the lock order). Merging keeps the sum, so a balanced entry stays balanced.
 * Returns new objects; `legs` is left as it was (an entry may be posted again, alone, after a shared statement fails).
 */
export function mergeLegs(legs: readonly AccountLeg[]): AccountLeg[] {
  const byId = new Map<bigint, AccountLeg>();
  for (const leg of legs) {
    const seen = byId.get(leg.id);
    if (seen) seen.amount += leg.amount;
    else byId.set(leg.id, { id: leg.id, ref: leg.ref, amount: leg.amount });
  }
  return [...byId.values()].filter((l) => l.amount !== 0n).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
