import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { formatEventId, parseEventId } from '../events/event-id';
import type { EventView } from '../events/event-view';
import { listEventsAfter } from '../events/events-repository';
import { newId } from '../ids';
import { typesFilter } from './pending-events';
import { postDelivery, type PostOutcome } from './post-delivery';
import { nextDelayMs, retryAfterMs } from './retry-schedule';
import { signDelivery } from './signing';
import { DELIVERY_PREFIX, scheduledDeliveryId, secretBinding } from './webhook-ids';
import {
  type DeliveryEffect,
  type DeliveryRow,
  type EndpointRow,
  findDelivery,
  findEndpoint,
  nextAttemptNumber,
  recordDelivery,
} from './webhooks-repository';

/**
 * One delivery attempt of one event to one endpoint, and what it does to the endpoint: a 2xx moves the endpoint's
 * cursor past the event (in the transaction that records the attempt), a 410 disables the endpoint, a failure schedules
 * the next attempt or, after the last one, disables the endpoint. Safe to run again: a scheduled attempt has an id of
 * its own, and a run that finds it recorded (or the cursor past the event) answers what was recorded, sending nothing.
 */
export interface DeliveryDeps {
  db: Db;
  /** Opens endpoint secrets (the worker's wallet keyring; the API can only seal). */
  box: SecretBox;
  timeoutMs: number;
  allowInsecure: boolean;
  now?: () => number;
  /** Secrets already opened (binding and sealed → plain), kept for one batch: opening one costs an X25519 agreement. */
  opened?: Map<string, string>;
  /** Events read already for a batch, by `evt_…` id. */
  events?: Map<string, EventView>;
}

export type DeliveryResult =
  /** Delivered now or before (the cursor is past the event), or the event left the log (retention) and is skipped. */
  | { outcome: 'delivered' }
  | { outcome: 'retry'; delayMs: number }
  /** The endpoint is disabled or deleted: its delivery stops. */
  | { outcome: 'stopped' };

export interface ScheduledAttempt {
  endpointId: string;
  /** `evt_…` */
  eventId: string;
  /** 1-based. */
  attempt: number;
  /** WEBHOOK_RETRY_SCHEDULE_MS, as the workflow was started with. */
  schedule: number[];
}

export async function deliverScheduled(deps: DeliveryDeps, a: ScheduledAttempt): Promise<DeliveryResult> {
  const now = deps.now ?? Date.now;
  const eventId = requireEventId(a.eventId);
  const endpoint = await findEndpoint(deps.db, a.endpointId);
  if (!endpoint || endpoint.status !== 'active') return { outcome: 'stopped' };
  if (endpoint.cursor >= eventId) return { outcome: 'delivered' };
  const id = scheduledDeliveryId(endpoint.id, eventId, a.attempt);
  const prior = await findDelivery(deps.db, id);
  if (prior) return resultOf(prior, now());
  const event = deps.events?.get(a.eventId) ?? (await loadEvent(deps.db, eventId));
  if (!event) {
    const row = { id, endpointId: endpoint.id, eventId, attempt: a.attempt, latencyMs: 0, error: 'event no longer in the log (retention)' };
    await recordDelivery(deps.db, row, { kind: 'advance', eventId });
    return { outcome: 'delivered' };
  }
  const sent = await send(deps, endpoint, event);
  const { effect, nextAttemptAt } = judge(sent, a, now());
  const row = await recordDelivery(
    deps.db,
    { id, endpointId: endpoint.id, eventId, attempt: a.attempt, ...attemptFields(sent), nextAttemptAt },
    effect,
  );
  return resultOf(row, now());
}

export interface InOrderBatch {
  endpointId: string;
  /** `evt_…` ids in order, none attempted yet (each gets its first attempt here). */
  eventIds: string[];
  schedule: number[];
  /** Stop starting new deliveries after this long (the activity's deadline must not cut one short). */
  budgetMs: number;
}

/** How far a batch got: `delivered` events in a row, then (unless the batch or its budget ran out) the one that did not. */
export interface BatchResult {
  delivered: number;
  stoppedAt: Exclude<DeliveryResult, { outcome: 'delivered' }> | null;
}

/**
 * First attempts of several events, one at a time in order, stopping at the first that is not delivered: the
 * workflow retries that one on the schedule before going on. Each event is its own idempotent attempt.
 */
export async function deliverInOrder(deps: DeliveryDeps, b: InOrderBatch): Promise<BatchResult> {
  const started = Date.now();
  if (b.eventIds.length === 0) return { delivered: 0, stoppedAt: null };
  const endpoint = await findEndpoint(deps.db, b.endpointId);
  if (!endpoint || endpoint.status !== 'active') return { delivered: 0, stoppedAt: { outcome: 'stopped' } };
  // The batch's events in one read: the same query that found their ids, from the first of them.
  const events = await listEventsAfter(deps.db, {
    afterId: requireEventId(b.eventIds[0]) - 1n,
    types: typesFilter(endpoint.eventTypes),
    limit: b.eventIds.length,
  });
  const batchDeps = { ...deps, opened: new Map<string, string>(), events: new Map(events.map((e) => [e.id, e])) };
  let delivered = 0;
  for (const eventId of b.eventIds) {
    if (Date.now() - started > b.budgetMs) break;
    const result = await deliverScheduled(batchDeps, { endpointId: b.endpointId, eventId, attempt: 1, schedule: b.schedule });
    if (result.outcome !== 'delivered') return { delivered, stoppedAt: result };
    delivered++;
  }
  return { delivered, stoppedAt: null };
}

/** What a recorded scheduled attempt means for the workflow. */
function resultOf(row: DeliveryRow, now: number): DeliveryResult {
  if (row.statusCode !== null && row.statusCode >= 200 && row.statusCode < 300) return { outcome: 'delivered' };
  if (row.nextAttemptAt === null) return row.error?.startsWith('event no longer') ? { outcome: 'delivered' } : { outcome: 'stopped' };
  return { outcome: 'retry', delayMs: Math.max(0, row.nextAttemptAt.getTime() - now) };
}

function judge(sent: PostOutcome, a: ScheduledAttempt, now: number): { effect: DeliveryEffect; nextAttemptAt: Date | null } {
  const status = sent.statusCode;
  if (status !== null && status >= 200 && status < 300)
    return { effect: { kind: 'advance', eventId: requireEventId(a.eventId) }, nextAttemptAt: null };
  if (status === 410) return { effect: { kind: 'disable', reason: `the receiver answered 410 Gone to ${a.eventId}` }, nextAttemptAt: null };
  const delay = nextDelayMs(a.schedule, a.attempt, status === null ? null : retryAfterMs(status, sent.retryAfter, now));
  if (delay === null) {
    const last = status === null ? sent.error : `HTTP ${status}`;
    return {
      effect: { kind: 'disable', reason: `all ${a.attempt} attempts to deliver ${a.eventId} failed (last: ${last})` },
      nextAttemptAt: null,
    };
  }
  return { effect: { kind: 'none' }, nextAttemptAt: new Date(now + delay) };
}

export interface ManualRedelivery {
  endpointId: string;
  eventId: string;
  /** The new attempt's id, chosen by the caller so that a retried request finds it. */
  deliveryId: string;
}

/**
 * Sends an event again because an operator asked: a new attempt, even when the event was delivered before (that is
 * the operator's choice). A 2xx of an event the endpoint had not delivered yet moves its cursor past it, as a scheduled
 * attempt would; a 410 disables the endpoint. Null when the endpoint is not active.
 */
export async function redeliver(deps: DeliveryDeps, r: ManualRedelivery): Promise<DeliveryRow | null> {
  const prior = await findDelivery(deps.db, r.deliveryId);
  if (prior) return prior;
  const endpoint = await findEndpoint(deps.db, r.endpointId);
  const eventId = requireEventId(r.eventId);
  const event = await loadEvent(deps.db, eventId);
  if (!endpoint || endpoint.status !== 'active' || !event) return null;
  const sent = await send(deps, endpoint, event);
  const status = sent.statusCode;
  const effect: DeliveryEffect =
    status !== null && status >= 200 && status < 300
      ? { kind: 'advance', eventId }
      : status === 410
        ? { kind: 'disable', reason: `the receiver answered 410 Gone to ${r.eventId}` }
        : { kind: 'none' };
  const attempt = await nextAttemptNumber(deps.db, endpoint.id, eventId);
  return recordDelivery(
    deps.db,
    { id: r.deliveryId, endpointId: endpoint.id, eventId, attempt, manual: true, ...attemptFields(sent), nextAttemptAt: null },
    effect,
  );
}

export const newDeliveryId = () => newId(DELIVERY_PREFIX);

function attemptFields(sent: PostOutcome) {
  return { statusCode: sent.statusCode, latencyMs: sent.latencyMs, error: sent.error };
}

/** Signs with the current secret and, until it expires, the one before the last rotation. */
async function send(deps: DeliveryDeps, endpoint: EndpointRow, event: EventView): Promise<PostOutcome> {
  const at = new Date((deps.now ?? Date.now)());
  const open = (sealed: string) => {
    const key = `${secretBinding(endpoint.id)}:${sealed}`; // opened under this endpoint's binding only
    let plain = deps.opened?.get(key);
    if (plain === undefined) {
      plain = deps.box.open(sealed, secretBinding(endpoint.id));
      deps.opened?.set(key, plain);
    }
    return plain;
  };
  const secrets = [open(endpoint.secretSealed)];
  if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > at.getTime())
    secrets.push(open(endpoint.previousSecretSealed));
  const body = JSON.stringify(event);
  return postDelivery({
    url: endpoint.url,
    headers: { ...signDelivery(secrets, event.id, at, body) },
    body,
    timeoutMs: deps.timeoutMs,
    allowInsecure: deps.allowInsecure,
  });
}

async function loadEvent(db: Db, eventId: bigint): Promise<EventView | null> {
  const [event] = await listEventsAfter(db, { afterId: eventId - 1n, limit: 1 });
  return event?.id === formatEventId(eventId) ? event : null;
}

function requireEventId(value: string): bigint {
  const id = parseEventId(value);
  if (id === null) throw new Error(`not an event id: ${value}`);
  return id;
}
