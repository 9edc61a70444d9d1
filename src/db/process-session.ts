import type { Logger } from '../logger';
import { PersistentConnection } from './persistent-connection';

/**
 * A connection a process holds for as long as it runs, and does nothing with: its backend pid names the process to
 * PostgreSQL. The pid leaves `pg_stat_activity` when the process dies (its connection goes with it), which is how
 * another process tells work claimed by a dead process from work still under way (an idempotency claim records it).
 * After a loss the connection comes back on its own; `pid` is null meanwhile (a claim made then names no owner and
 * falls back to its time limit).
 */
export class ProcessSession {
  private backendPid: number | null = null;
  private readonly connection: PersistentConnection;

  constructor(url: string, logger?: Logger) {
    this.connection = new PersistentConnection({
      url,
      name: 'process session',
      logger,
      prepare: async (client) => {
        this.backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      },
    });
  }

  start(): Promise<void> {
    return this.connection.start();
  }

  /** The backend pid of the session, or null while it is not connected. */
  get pid(): number | null {
    return this.connection.client ? this.backendPid : null;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
