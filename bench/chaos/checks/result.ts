import type { CheckResult } from '../types';

/** A check's result: it holds when it found no breach. */
export function checkResult(name: string, figures: CheckResult['figures'], breaches: string[]): CheckResult {
  return { name, ok: breaches.length === 0, figures, breaches };
}

/** Counts of `items` by `key`, in first-seen order. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** `items` by `key`, in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
