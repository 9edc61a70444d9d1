import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../../src/db/client';
import { listEventsAfter } from '../../../src/events/events-repository';
import { typesFilter } from '../../../src/webhooks/pending-events';
import type { CheckContext } from '../types';
import { endpointsOn } from './checks-repository';
import { openResources } from './resources';
import { unfinished } from './workflows';

/**
 * For the runner, once the faults have stopped and before it takes the receiver's record for the checks: waits until
 * the system is at rest (every webhook endpoint on the receiver has delivered up to its newest event, no workflow
 * runs that should end, no row is left in flight) or `timeoutMs` has passed. Answers what it still waits for (empty:
 * at rest); the checks then report whatever did not settle.
 */
export async function waitUntilSettled(ctx: CheckContext, timeoutMs: number, pollMs = 1000): Promise<string[]> {
  const r = await openResources(ctx);
  try {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      const waiting = [
        ...(await unfinished({ temporal: r.temporal, pool: r.database.pool, taskQueue: r.config.TEMPORAL_TASK_QUEUE })).breaches,
        ...(await undelivered(r.database, ctx.endpoints.webhookReceiverUrl)),
      ];
      if (waiting.length === 0 || Date.now() >= deadline) return waiting;
      if (round % 10 === 0) ctx.log(`settling: ${waiting.length} thing(s) still moving, first: ${waiting[0]}`);
      await sleep(pollMs);
    }
  } finally {
    await r.close();
  }
}

async function undelivered(database: Database, receiverUrl: string): Promise<string[]> {
  const waiting: string[] = [];
  for (const e of await endpointsOn(database.pool, receiverUrl)) {
    if (e.status !== 'active') continue; // disabled: nothing more will come (the check says so)
    const [next] = await listEventsAfter(database.db, { afterId: BigInt(e.cursor), types: typesFilter(e.event_types), limit: 1 });
    if (next) waiting.push(`endpoint ${e.id} has not delivered ${next.id} yet`);
  }
  return waiting;
}
