import type { Client } from 'pg';
import { PersistentConnection } from '../db/persistent-connection';
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
  private readonly listeners = new Set<NoticeListener>();
  private readonly connection: PersistentConnection;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: EventNotificationsOptions) {
    this.connection = new PersistentConnection({
      ...opts,
      name: 'event notifications',
      prepare: async (client) => {
        client.on('notification', (msg) => {
          if (msg.channel !== EVENTS_CHANNEL || !msg.payload || !/^\d+$/.test(msg.payload)) return;
          this.emit({ kind: 'event', id: BigInt(msg.payload) });
        });
        await listenForEvents(client);
      },
      onReconnected: () => this.emit({ kind: 'reconnected' }),
      onLost: () => this.emit({ kind: 'lost' }),
    });
  }

  /** Connects and listens; resolves once notifications flow (retrying in the background if the first attempt fails). */
  async start(): Promise<void> {
    await this.connection.start();
  }

  subscribe(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while connected and listening. */
  get connected(): boolean {
    return this.connection.client !== null;
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
    const run = this.queue.then(() => {
      const client = this.connection.client;
      return client ? fn(client) : whenDisconnected;
    });
    // The queue only orders statements: its copy swallows the failure so the next statement still runs; the caller
    // gets `run` itself, failure included.
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private emit(notice: EventNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}
