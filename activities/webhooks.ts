import { Context } from '@temporalio/activity';
import {
  deliverInOrder,
  deliverScheduled,
  type InOrderBatch,
  type ManualRedelivery,
  redeliver,
  type ScheduledAttempt,
} from '../src/webhooks/deliver';
import { pendingEvents, type PendingEvents } from '../src/webhooks/pending-events';
import { type DeliveryView, renderDelivery } from '../src/webhooks/render';
import type { ActivityDeps } from './deps';

/** The most events one read hands the delivery workflow (it delivers them one at a time, then reads again). */
const BATCH = 100;
/**
 * The most reads that wait for a new event at once in one worker: each holds an activity slot (100 a worker) while it
 * waits, so beyond this the reads of idle endpoints answer at once and their workflows poll with a timer instead.
 */
const MAX_WAITING_READS = 16;

export function createWebhookActivities(deps: ActivityDeps) {
  const delivery = {
    db: deps.database.db,
    box: deps.secretBox,
    timeoutMs: deps.webhooks.timeoutMs,
    allowInsecure: deps.webhooks.allowInsecure,
  };
  let waiting = 0;
  return {
    /** The endpoint's next events after its cursor, waiting up to waitMs (woken by NOTIFY) when there are none. */
    async webhookPendingEvents(input: { endpointId: string; waitMs: number }): Promise<PendingEvents> {
      const signal = Context.current().cancellationSignal; // worker shutdown: answer now, the next run reads again
      if (waiting >= MAX_WAITING_READS) {
        const found = await pendingEvents(deps.database.db, null, { ...input, waitMs: 0, limit: BATCH });
        return found.active && found.eventIds.length === 0 ? { ...found, waited: false } : found;
      }
      waiting++;
      try {
        return await pendingEvents(deps.database.db, deps.webhooks.subscribe, { ...input, limit: BATCH, signal });
      } finally {
        waiting--;
      }
    },
    /** First attempts of events in order, until one is not delivered or the time budget is spent (idempotent per event). */
    async deliverWebhooks(input: InOrderBatch) {
      return deliverInOrder(delivery, input);
    },
    /** One scheduled attempt (idempotent: a recorded attempt, or the cursor past the event, is answered without sending). */
    async deliverWebhook(input: ScheduledAttempt) {
      return deliverScheduled(delivery, input);
    },
    /** An operator's redelivery (idempotent by its delivery id); null when the endpoint is not active. */
    async redeliverWebhook(input: ManualRedelivery): Promise<DeliveryView | null> {
      const row = await redeliver(delivery, input);
      return row && renderDelivery(row);
    },
  };
}
