import { Client } from 'pg';
import type { Logger } from '../logger';

export interface PersistentConnectionOptions {
  url: string;
  /** What the connection is for, in its log lines ("event notifications: connection lost; reconnecting"). */
  name: string;
  logger?: Logger;
  /** Wait before reconnecting, doubled after each failure up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Readies each new connection before it counts as connected (LISTEN, a query); a failure is retried like a lost one. */
  prepare?: (client: Client) => Promise<void>;
  /** The connection is back after a loss (not called for the first one). */
  onReconnected?: () => void;
  /** The connection was lost; it reconnects on its own. */
  onLost?: () => void;
}

/**
 * One dedicated PostgreSQL connection a process keeps for its life, outside the pool: what lives with the session
 * (LISTEN, session advisory locks, the backend pid) lives as long as it and no longer. It reconnects on its own;
 * `client` is null meanwhile.
 */
export class PersistentConnection {
  private current: Client | null = null;
  private closed = false;
  private everConnected = false;
  private retry: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PersistentConnectionOptions) {
    this.retry = opts.retryMs ?? 100;
  }

  /** Connects; resolves once connected, or after the first failure (retrying in the background). */
  start(): Promise<void> {
    return this.connect();
  }

  /** The connected, prepared client, or null while there is none. */
  get client(): Client | null {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.current;
    this.current = null;
    if (client) await endQuietly(client);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.url });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await this.opts.prepare?.(client);
    } catch (err) {
      this.opts.logger?.warn({ err }, `${this.opts.name}: cannot connect; retrying`);
      await endQuietly(client);
      this.schedule();
      return;
    }
    if (this.closed) {
      await endQuietly(client);
      return;
    }
    const reconnecting = this.everConnected;
    this.current = client;
    this.everConnected = true;
    this.retry = this.opts.retryMs ?? 100;
    if (reconnecting) this.opts.onReconnected?.();
  }

  private lost(client: Client, err?: unknown): void {
    if (this.current !== client) return;
    this.current = null;
    void endQuietly(client);
    if (this.closed) return;
    this.opts.logger?.warn({ err }, `${this.opts.name}: connection lost; reconnecting`);
    this.opts.onLost?.();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.retry;
    this.retry = Math.min(wait * 2, this.opts.maxRetryMs ?? 5000);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }
}

/**
 * Ends a connection we are letting go of. Its failure is swallowed on purpose: the connection is already broken or
 * unwanted, and nothing rests on it ending cleanly — what lived with the session (LISTEN, session advisory locks, the
 * pid an idempotency claim names) ends with the session either way, and no money or claim is held by this client.
 */
async function endQuietly(client: Client): Promise<void> {
  await client.end().catch(() => undefined);
}
