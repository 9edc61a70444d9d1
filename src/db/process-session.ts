import { Client } from 'pg';
import type { Logger } from '../logger';

/**
 * One PostgreSQL connection a process holds for as long as it runs, and does nothing with: its backend pid names the
 * process to PostgreSQL. The pid leaves `pg_stat_activity` when the process dies (its connection goes with it), which
 * is how another process tells work claimed by a dead process from work still under way (an idempotency claim records
 * it). The connection comes back on its own after a loss; `pid` is null meanwhile (a claim made then names no owner
 * and falls back to its time limit).
 */
export class ProcessSession {
  private client: Client | null = null;
  private backendPid: number | null = null;
  private closed = false;
  private retryMs = RETRY_FIRST_MS;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly logger?: Logger,
  ) {}

  /** Connects; resolves once connected, or after the first failure (retrying in the background). */
  start(): Promise<void> {
    return this.connect();
  }

  /** The backend pid of the session, or null while it is not connected. */
  get pid(): number | null {
    return this.client ? this.backendPid : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'offerhub process session' });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    let pid: number;
    try {
      await client.connect();
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    } catch (err) {
      this.logger?.warn({ err }, 'process session: cannot connect; retrying');
      await client.end().catch(() => undefined);
      this.schedule();
      return;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
    this.backendPid = pid;
    this.retryMs = RETRY_FIRST_MS;
  }

  private lost(client: Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger?.warn({ err }, 'process session: connection lost; reconnecting');
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(wait * 2, RETRY_MAX_MS);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }
}

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
