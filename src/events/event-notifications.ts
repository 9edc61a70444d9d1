import { Client } from 'pg';
import type { Logger } from '../logger';
import { EVENTS_CHANNEL, listenForEvents, tryLockStream, unlockStream } from './events-repository';

/**
 * What a subscriber hears: an event id committed (PostgreSQL NOTIFY, sent at commit), or that the connection was
 * lost (notifications may have been missed and stream locks were released) and is back.
 */
export type EventNotice = { kind: 'event'; id: bigint } | { kind: 'lost' } | { kind: 'reconnected' };
export type NoticeListener = (notice: EventNotice) => void;

export interface EventNotificationsOptions {
  url: string;
  logger?: Logger;
  /** Wait before reconnecting, doubled after each failure up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * One dedicated PostgreSQL connection per API process that LISTENs on the `events` channel and fans each notification
 * out to any number of in-process listeners; it reconnects on its own. The same connection holds the per-API-key
 * stream locks (session advisory locks): they live exactly as long as this connection, so a process that dies frees
 * its keys at once, and a lost connection tells the streams (`lost`) that their locks are gone.
 */
export class EventNotifications {
  private client: Client | null = null;
  private readonly listeners = new Set<NoticeListener>();
  private closed = false;
  private retry: number;
  private timer: NodeJS.Timeout | null = null;
  private everConnected = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: EventNotificationsOptions) {
    this.retry = opts.retryMs ?? 100;
  }

  /** Connects and listens; resolves once notifications flow (retrying in the background if the first attempt fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while connected and listening. */
  get connected(): boolean {
    return this.client !== null;
  }

  /** Claims `holder`'s stream for this process; false when another stream (here or in another process) has it. */
  async tryLock(holder: string): Promise<boolean> {
    return this.serially((client) => tryLockStream(client, holder), false);
  }

  async unlock(holder: string): Promise<void> {
    // A failure here means the listening connection is gone, and a session advisory lock dies with its session: the
    // stream's lock is already released (the connection reconnects on its own). Nothing is left held.
    await this.serially((client) => unlockStream(client, holder), undefined).catch(() => undefined);
  }

  /** One statement at a time on the connection (pg refuses overlapping queries on a client from version 9). */
  private serially<T>(fn: (client: Client) => Promise<T>, whenDisconnected: T): Promise<T> {
    const run = this.queue.then(() => (this.client ? fn(this.client) : whenDisconnected));
    // The queue only orders statements: its copy swallows the failure so the next statement still runs; the caller
    // gets `run` itself, failure included.
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.url });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload || !/^\d+$/.test(msg.payload)) return;
      this.emit({ kind: 'event', id: BigInt(msg.payload) });
    });
    try {
      await client.connect();
      await listenForEvents(client);
    } catch (err) {
      this.opts.logger?.warn({ err }, 'event notifications: cannot listen; retrying');
      await client.end().catch(() => undefined);
      this.schedule();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnecting = this.everConnected;
    this.client = client;
    this.everConnected = true;
    this.retry = this.opts.retryMs ?? 100;
    if (reconnecting) this.emit({ kind: 'reconnected' });
  }

  private lost(client: Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.opts.logger?.warn({ err }, 'event notifications: connection lost; reconnecting');
    this.emit({ kind: 'lost' });
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.retry;
    this.retry = Math.min(wait * 2, this.opts.maxRetryMs ?? 5000);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }

  private emit(notice: EventNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}
