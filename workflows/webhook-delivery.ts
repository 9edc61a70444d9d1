import { continueAsNew, proxyActivities, proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const reading = proxyActivities<Activities>({
  // The read waits up to waitMs for a new event (woken by NOTIFY in the worker), so its deadline is longer than that.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
/**
 * A delivery is a local activity: one POST (WEBHOOK_TIMEOUT_MS, at most 60 s) and short transactions, run by the
 * worker that runs the workflow, without a round trip through the server's task queue for each event (bench/events:
 * several times the deliveries a second). It is idempotent (the attempt's id, the cursor), so the re-run a lost
 * worker causes sends nothing twice after a 2xx.
 */
const sending = proxyLocalActivities<Activities>({
  startToCloseTimeout: '90 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const redelivering = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export interface WebhookDeliveryInput {
  endpointId: string;
  /** Delays before each attempt of an event (WEBHOOK_RETRY_SCHEDULE_MS); the first attempt is always immediate. */
  schedule: number[];
  /** How long one read waits for a new event before the loop reads again. */
  waitMs: number;
  /** History events in one run before it continues as new (default 5000; tests set a small one). */
  maxHistoryEvents?: number;
}

/** History events in one run before it is rolled over with continue-as-new (unless Temporal suggests it sooner). */
const HISTORY_EVENTS_PER_RUN = 5000;

/**
 * One per webhook endpoint (`webhook-<endpoint id>`): delivers the events its filter matches in the order of their ids,
 * one at a time. Each event is tried on the schedule until a 2xx (its endpoint's cursor then moves past it) or until the
 * endpoint is disabled (a 410, or the schedule exhausted): later events wait behind it, so a receiver sees them in
 * order. The cursor lives in PostgreSQL, so a continue-as-new, a worker crash or a restart resumes where it was.
 */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<void> {
  for (;;) {
    const pending = await reading.webhookPendingEvents({ endpointId: input.endpointId, waitMs: input.waitMs });
    if (!pending.active) return;
    if (pending.waited === false) await sleep(BUSY_POLL_MS); // no waiting read was free: poll instead
    let next = 0;
    while (next < pending.eventIds.length) {
      const batch = await sending.deliverWebhooks({
        endpointId: input.endpointId,
        eventIds: pending.eventIds.slice(next),
        schedule: input.schedule,
        budgetMs: BATCH_BUDGET_MS,
      });
      next += batch.delivered;
      if (batch.stoppedAt?.outcome === 'stopped') return;
      if (batch.stoppedAt?.outcome === 'retry') {
        if (!(await retryOnSchedule(input, pending.eventIds[next], batch.stoppedAt.delayMs))) return;
        next++;
      }
      if (historyIsLong(input)) return continueAsNew<typeof webhookDelivery>(input);
    }
    if (historyIsLong(input)) return continueAsNew<typeof webhookDelivery>(input); // an idle endpoint's reads add up too
  }
}

/** How often an endpoint polls while its worker has no waiting read to spare. */
const BUSY_POLL_MS = 2000;

/** How long one batch of first attempts may go on (well inside the local activity's deadline). */
const BATCH_BUDGET_MS = 20_000;

/** Attempts 2, 3, … of an event whose first attempt failed; true once delivered, false when the endpoint stopped. */
async function retryOnSchedule(input: WebhookDeliveryInput, eventId: string, firstDelayMs: number): Promise<boolean> {
  let delayMs = firstDelayMs;
  for (let attempt = 2; ; attempt++) {
    if (delayMs > 0) await sleep(delayMs);
    const result = await sending.deliverWebhook({ endpointId: input.endpointId, eventId, attempt, schedule: input.schedule });
    if (result.outcome !== 'retry') return result.outcome === 'delivered';
    delayMs = result.delayMs;
  }
}

function historyIsLong(input: WebhookDeliveryInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? HISTORY_EVENTS_PER_RUN);
}

export interface WebhookRedeliveryInput {
  endpointId: string;
  eventId: string;
  deliveryId: string;
}

/** An operator's redelivery of one event (`webhook-redelivery-<delivery id>`): one new attempt, whatever came before. */
export async function webhookRedelivery(input: WebhookRedeliveryInput) {
  return redelivering.redeliverWebhook(input);
}
