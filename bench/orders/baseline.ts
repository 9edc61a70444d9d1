/**
 * The baseline phase: as many trivial workflows as orders, all at once, each started and then sent five updates in
 * sequence straight through the Temporal client — the same Temporal calls an order's lifecycle makes (a start and
 * five updates), with no API, database, activity or chain behind them.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { BASELINE_UPDATES, bump } from './baseline-workflow';
import { type PhaseResult, timed } from './stats';

export async function runBaseline(client: Client, taskQueue: string, count: number): Promise<PhaseResult & { workflowIds: string[] }> {
  const calls: Record<string, number[]> = { start: [], update: [] };
  const errors: string[] = [];
  const workflowIds: string[] = [];
  const one = async () => {
    const workflowId = `bench-baseline-${crypto.randomUUID()}`;
    workflowIds.push(workflowId);
    try {
      const handle = await timed(calls, 'start', () => client.workflow.start('benchBaseline', { workflowId, taskQueue }));
      for (let i = 1; i <= BASELINE_UPDATES; i++) {
        const n = await timed(calls, 'update', () => handle.executeUpdate(bump, { updateId: crypto.randomUUID() }));
        if (n !== i) throw new Error(`update ${i} answered ${n}`);
      }
    } catch (err) {
      errors.push(`baseline ${workflowId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, one));
  return { count, wallMs: performance.now() - t0, calls, errors, workflowIds };
}

/** After the phase (not timed): every baseline workflow must have completed after its fifth update. */
export async function checkCompleted(client: Client, workflowIds: string[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const id of workflowIds) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('not completed within 30 s'), 30_000)));
    const result = await Promise.race([
      client.workflow
        .getHandle(id)
        .result()
        .catch((err: Error) => err.message),
      timeout,
    ]);
    clearTimeout(timer);
    if (result !== BASELINE_UPDATES) wrong.push(`baseline ${id}: ${String(result)}`);
  }
  return wrong;
}
