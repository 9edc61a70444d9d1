import { Client, Connection } from '@temporalio/client';
import { withTimeout } from '../async';

export interface TemporalHandle {
  /** The client, connecting on first use; a failed connection is retried on the next call. */
  client(): Promise<Client>;
  /** True when the frontend answers a health check within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createTemporalHandle(opts: { address: string; namespace: string }): TemporalHandle {
  let connecting: Promise<Connection> | null = null;
  let client: Client | null = null;
  const connection = (): Promise<Connection> => {
    if (!connecting) {
      connecting = Connection.connect({ address: opts.address, connectTimeout: 3000 });
      connecting.catch(() => (connecting = null));
    }
    return connecting;
  };
  return {
    async client() {
      if (!client) client = new Client({ connection: await connection(), namespace: opts.namespace });
      return client;
    },
    async ping(timeoutMs = 2000) {
      try {
        const conn = await withTimeout(connection(), timeoutMs);
        await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      const c = connecting;
      connecting = null;
      client = null;
      if (c) await (await c.catch(() => null))?.close();
    },
  };
}
