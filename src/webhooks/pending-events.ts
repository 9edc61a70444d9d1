import type { Db } from '../db/client';
import type { NoticeListener } from '../events/event-notifications';
import { listEventsAfter } from '../events/events-repository';
import { findEndpoint } from './webhooks-repository';

/**
 * What an endpoint's delivery loop does next: stop (disabled, deleted), or deliver these events (maybe none yet).
 * `waited: false`: none were pending and the read did not wait for one (the worker's waiting reads are all taken).
 */
export type PendingEvents = { active: false } | { active: true; eventIds: string[]; waited?: boolean };

export interface PendingQuery {
  endpointId: string;
  /** How long to wait for a new event when there is none pending (0: answer at once). */
  waitMs: number;
  limit: number;
  /** Ends the wait early (the worker shutting down): the read answers what it has. */
  signal?: AbortSignal;
}

/** Subscribes to committed-event notices (EventNotifications.subscribe); returns the unsubscribe. */
export type SubscribeToEvents = (listener: NoticeListener) => () => void;

/** The filter an endpoint's `events` list means for the reader: `*` is every type. */
export function typesFilter(eventTypes: string[]): string[] | undefined {
  return eventTypes.includes('*') ? undefined : eventTypes;
}

/**
 * The ids of the events after the endpoint's cursor that its filter matches, in id order. With none pending, waits
 * up to `waitMs` for an event to be committed anywhere (PostgreSQL NOTIFY, through the process's one listening
 * connection) and reads once more: a new event reaches its endpoints without each one polling the database.
 */
export async function pendingEvents(db: Db, subscribe: SubscribeToEvents | null, q: PendingQuery): Promise<PendingEvents> {
  const read = async (): Promise<PendingEvents> => {
    const endpoint = await findEndpoint(db, q.endpointId);
    if (!endpoint || endpoint.status !== 'active') return { active: false };
    const events = await listEventsAfter(db, { afterId: endpoint.cursor, types: typesFilter(endpoint.eventTypes), limit: q.limit });
    return { active: true, eventIds: events.map((e) => e.id) };
  };
  let woken = false;
  let wake: () => void = () => (woken = true);
  const unsubscribe = subscribe?.(() => wake()) ?? (() => undefined); // listening before the read: nothing slips between
  const onAbort = () => wake();
  q.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = Date.now() + q.waitMs;
  try {
    for (;;) {
      const found = await read();
      const left = deadline - Date.now();
      if (!found.active || found.eventIds.length > 0 || left <= 0 || q.signal?.aborted) return found;
      if (!woken)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      woken = false;
      wake = () => (woken = true);
    }
  } finally {
    unsubscribe();
    q.signal?.removeEventListener('abort', onAbort);
  }
}
