import type { Response } from 'express';
import type { Pool } from 'pg';
import { formatEventId, parseEventId } from '../../src/events/event-id';
import type { EventFeed, FeedSubscriber } from '../../src/events/event-feed';
import { type EventFilter, matchesFilter } from '../../src/events/event-filter';
import type { EventView } from '../../src/events/event-view';
import { listEventsAfter } from '../../src/events/events-repository';

export interface EventStreamOptions {
  heartbeatMs: number;
  /** Events waiting for a client that does not take them fast enough, beyond which it is cut off. */
  maxPending: number;
  /** How long a client may take nothing while events wait for it before it is cut off. */
  stallMs: number;
  retryMs: number;
}

const CATCH_UP_BATCH = 500;
/** How long a cut-off client gets to take its last message before the connection is dropped. */
const CUT_OFF_GRACE_MS = 5000;

/** One SSE frame per event, built once per process however many streams send it. */
const frames = new WeakMap<EventView, string>();
function frameOf(e: EventView): string {
  let frame = frames.get(e);
  if (frame === undefined) frames.set(e, (frame = `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
  return frame;
}

/**
 * One `GET /events` stream: first the history after its cursor out of the events table, then the live events the
 * process's feed hands it, filtered. It never writes an id twice nor skips one: it remembers the last id written, and
 * live events that arrive while the history is read wait in its queue. It writes only while the socket takes data
 * (Node's backpressure), so what waits for a slow client is a queue of events shared with the other streams, not
 * copies. A client that has more than maxPending events waiting, or takes nothing for stallMs while events wait, is
 * cut off with a last `event: error` message naming the last event id written, so it can resume from there; other
 * streams never wait for it.
 */
export class EventStream implements FeedSubscriber {
  /** The last event id written (`evt_…`: fixed width, so ids compare as strings in id order). */
  private lastId: string;
  private readonly queue: EventView[] = [];
  private head = 0;
  private live = false;
  private closed = false;
  private draining: Promise<boolean> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    private readonly res: Response,
    private readonly feed: EventFeed,
    private readonly pool: Pool,
    private readonly filter: EventFilter,
    private readonly typePatterns: string[] | undefined,
    cursor: bigint,
    private readonly opts: EventStreamOptions,
  ) {
    this.lastId = formatEventId(cursor);
  }

  /** Sends the headers, then the history, then goes live. */
  async start(): Promise<void> {
    const { res } = this;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    // The body ends when the connection does (an event stream is never reused for another request): no chunk framing
    // around every write.
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    res.flushHeaders();
    res.on('close', () => this.end());
    if (!res.socket || res.socket.destroyed) return this.end(); // the client left before the stream began
    res.socket.setNoDelay(true);
    this.unsubscribe = this.feed.subscribe(this);
    res.write(`retry: ${this.opts.retryMs}\n: events after ${this.lastId}\n\n`);
    this.heartbeat = setInterval(() => {
      if (!this.closed && !res.writableNeedDrain) res.write(': heartbeat\n\n');
      this.feed.poke(); // a safety net: a notification lost in transit is read at the next beat
    }, this.opts.heartbeatMs);
    try {
      await this.catchUp();
    } catch (err) {
      this.end();
      throw err;
    }
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  deliver(events: EventView[]): void {
    if (this.closed) return;
    for (const e of events) if (matchesFilter(this.filter, e)) this.queue.push(e);
    if (this.queue.length - this.head > this.opts.maxPending) return this.cutOff();
    if (!this.live) return;
    this.res.cork(); // a batch of events leaves in one write
    this.pump();
    this.res.uncork();
  }

  lost(): void {
    this.end();
  }

  /** Ends the stream (the client left, the server stops, the stream lock was lost). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unsubscribe?.();
    if (!this.res.writableEnded) this.res.end();
    for (const l of this.endListeners) l();
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const events = await listEventsAfter(this.pool, {
        afterId: parseEventId(this.lastId)!,
        types: this.typePatterns,
        resourceType: this.filter.resourceType,
        resourceId: this.filter.resourceId,
        limit: CATCH_UP_BATCH,
      });
      if (this.closed) return;
      for (const e of events) this.write(e);
      if (events.length < CATCH_UP_BATCH) break;
      if (this.res.writableNeedDrain && !(await this.drained())) return;
    }
    this.live = true;
    this.pump();
  }

  /** Writes queued events while the socket takes them; waits for it to drain otherwise. */
  private pump(): void {
    while (!this.closed && this.head < this.queue.length) {
      if (this.res.writableNeedDrain) {
        if (!this.draining) void this.drained().then((ok) => ok && this.pump());
        return;
      }
      this.write(this.queue[this.head++]);
    }
    this.queue.length = this.head = 0;
  }

  /** Resolves true when the client took what was written, false when it was cut off for taking nothing for stallMs. */
  private drained(): Promise<boolean> {
    this.draining ??= new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(stalled);
        this.res.off('drain', onDrain).off('close', onClose);
        this.draining = null;
        resolve(ok);
      };
      const onDrain = () => done(!this.closed);
      const onClose = () => done(false);
      const stalled = setTimeout(() => {
        done(false);
        this.cutOff();
      }, this.opts.stallMs);
      this.res.once('drain', onDrain).once('close', onClose);
    });
    return this.draining;
  }

  private write(e: EventView): void {
    if (e.id <= this.lastId) return;
    this.res.write(frameOf(e));
    this.lastId = e.id;
  }

  private cutOff(): void {
    if (this.closed) return;
    const error = {
      error: {
        code: 'STREAM_FELL_BEHIND',
        message: 'The client did not read the stream fast enough; reconnect with Last-Event-ID to resume',
        details: { last_event_id: this.lastId },
      },
    };
    this.res.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
    const socket = this.res.socket;
    this.end();
    setTimeout(() => socket?.destroy(), CUT_OFF_GRACE_MS).unref();
  }
}
