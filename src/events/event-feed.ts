import type { Pool } from 'pg';
import type { Logger } from '../logger';
import { parseEventId } from './event-id';
import type { EventNotifications } from './event-notifications';
import type { EventView } from './event-view';
import { latestEventId, listEventsAfter } from './events-repository';

/** A consumer of the live feed (an SSE stream): every new event in id order, or that the feed lost its connection. */
export interface FeedSubscriber {
  deliver(events: EventView[]): void;
  /** Notifications (and the stream locks held on their connection) were lost: the subscriber should end. */
  lost(): void;
}

const BATCH = 500;

/**
 * The process's one reader of new events, shared by every stream it serves. A notification (any number of them
 * arriving together) starts one read of everything after the last event read; while a read runs, further
 * notifications make one more read afterwards. Each event is read once per process and handed to every subscriber,
 * which filters it: N streams cost one query per batch of commits, not N.
 */
export class EventFeed {
  private last = 0n;
  private reading = false;
  private again = false;
  private readonly subscribers = new Set<FeedSubscriber>();
  private started: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Reads the feed made, and event notifications it heard: reads < notifications when bursts were coalesced (/metrics). */
  reads = 0;
  notificationsHeard = 0;

  constructor(
    private readonly pool: Pool,
    readonly notifications: EventNotifications,
    private readonly logger?: Logger,
  ) {}

  /** Listens and learns where "now" is; idempotent (the first stream starts it). */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.unsubscribe = this.notifications.subscribe((n) => {
        if (n.kind === 'lost') for (const s of [...this.subscribers]) s.lost();
        else if (n.kind === 'reconnected' || n.id > this.last) this.poke();
        if (n.kind === 'event') this.notificationsHeard++;
      });
      await this.notifications.start();
      this.last = await latestEventId(this.pool);
    })();
    this.started.catch(() => {
      this.unsubscribe?.();
      this.started = null; // the next stream tries again
    });
    return this.started;
  }

  /** The id of the last event handed to subscribers: a stream that asked for no history starts after it. */
  get position(): bigint {
    return this.last;
  }

  subscribe(s: FeedSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Reads now (or once more after the read in progress): a notification, a reconnection, a safety poll. */
  poke(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.drain();
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.notifications.close();
  }

  private async drain(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.again = false;
        for (;;) {
          this.reads++;
          const events = await listEventsAfter(this.pool, { afterId: this.last, limit: BATCH });
          if (events.length === 0) break;
          this.last = parseEventId(events[events.length - 1].id)!;
          for (const s of this.subscribers) s.deliver(events);
          if (events.length < BATCH) break;
        }
      } while (this.again);
    } catch (err) {
      this.logger?.warn({ err }, 'event feed: read failed; retrying');
      this.retryTimer = setTimeout(() => this.poke(), 1000);
      this.retryTimer.unref();
    } finally {
      this.reading = false;
    }
  }
}
