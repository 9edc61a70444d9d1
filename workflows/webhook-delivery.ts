import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const reading = proxyActivities<Activities>({
  // The read waits up to waitMs for a new event (woken by NOTIFY in the worker), so its deadline is longer than that.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const sending = proxyActivities<Activities>({
  // One POST (WEBHOOK_TIMEOUT_MS, at most 60 s) and two short transactions.
  startToCloseTimeout: '2 minutes',
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
}

/** Events in one run before the history is rolled over with continue-as-new (unless Temporal suggests it sooner). */
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
    for (const eventId of pending.eventIds) {
      if (!(await deliverOnSchedule(input, eventId))) return;
      if (historyIsLong()) return continueAsNew<typeof webhookDelivery>(input);
    }
    if (historyIsLong()) return continueAsNew<typeof webhookDelivery>(input);
  }
}

/** True once delivered; false when the endpoint stopped (disabled or deleted). */
async function deliverOnSchedule(input: WebhookDeliveryInput, eventId: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const result = await sending.deliverWebhook({ endpointId: input.endpointId, eventId, attempt, schedule: input.schedule });
    if (result.outcome !== 'retry') return result.outcome === 'delivered';
    if (result.delayMs > 0) await sleep(result.delayMs);
  }
}

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_PER_RUN;
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
