/**
 * The baseline of the orders bench: a workflow with no activities that takes as many updates as an order's
 * lifecycle (reserve, escrow, fund, deliver, release), each handler only counting, and completes after the last one,
 * as an order's workflow does after its release. Run on its own task queue by baseline-worker.ts.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** Updates each baseline workflow receives after its start: the five update calls of an order's lifecycle. */
export const BASELINE_UPDATES = 5;

export const bump = defineUpdate<number>('bump');

export async function benchBaseline(): Promise<number> {
  let count = 0;
  setHandler(bump, () => ++count);
  await condition(() => count >= BASELINE_UPDATES);
  return count;
}
