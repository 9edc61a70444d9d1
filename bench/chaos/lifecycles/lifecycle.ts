/**
 * What every lifecycle shares: it is timed, never throws out (an error becomes `ok: false` with the first unexpected
 * answer), and says what it followed, where it stopped and what it moved.
 */
import type { LifecycleContext, LifecycleKind, LifecycleResult } from '../types';
import { type Api, chaosClient, describe } from './client';

/** What a lifecycle fills in as it goes: the resource it follows, where it is, what it moved (minor units). */
export interface Trail {
  id: string;
  actual: string;
  amounts: Record<string, bigint>;
  /** Set by a lifecycle whose path legitimately ended another way (it says why where it sets it). */
  expected?: string;
}

export type Drive = (api: Api, trail: Trail, ctx: LifecycleContext) => Promise<void>;

/** Runs `drive` as the lifecycle `kind` that should end in `expected`. */
export function lifecycle(kind: LifecycleKind, expected: string, drive: Drive) {
  return async (ctx: LifecycleContext): Promise<LifecycleResult> => {
    const startedAt = Date.now();
    const trail: Trail = { id: '', actual: 'NOT_STARTED', amounts: {} };
    let error: string | undefined;
    try {
      await drive(chaosClient(ctx, startedAt), trail, ctx);
      if (trail.actual !== (trail.expected ?? expected)) error = `ended ${trail.actual}, expected ${trail.expected ?? expected}`;
    } catch (err) {
      error = `at ${trail.actual}: ${describe(err)}`;
    }
    if (error) ctx.log(`${kind} ${trail.id || '(no id)'}: ${error}`);
    const amounts = Object.fromEntries(Object.entries(trail.amounts).map(([k, v]) => [k, v.toString()]));
    return {
      kind,
      id: trail.id,
      expected: trail.expected ?? expected,
      actual: trail.actual,
      ok: !error,
      ...(error ? { error } : {}),
      ms: Date.now() - startedAt,
      amounts,
    };
  };
}

/** Throws unless `actual` is `expected` (both minor units), naming what was compared. */
export function same(what: string, actual: bigint, expected: bigint): void {
  if (actual !== expected) throw new Error(`${what} is ${actual} minor units, expected ${expected}`);
}
