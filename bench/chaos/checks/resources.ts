import { Client, Connection } from '@temporalio/client';
import { type Config, loadConfig } from '../../../src/config';
import { createDatabase, type Database } from '../../../src/db/client';
import type { CheckContext } from '../types';

/** What the checks share: the processes' settings, one pool on their database, and a Temporal client on their namespace. */
export interface CheckResources {
  config: Config;
  database: Database;
  temporal: Client;
  close(): Promise<void>;
}

export async function openResources(ctx: CheckContext): Promise<CheckResources> {
  // The sandboxes straight, not through the fault proxy the processes may have been given.
  const config = loadConfig({
    ...ctx.processEnv,
    DATABASE_URL: ctx.endpoints.databaseUrl,
    HORIZON_URL: ctx.endpoints.stellar.horizonUrl,
    ...(ctx.processEnv.AIRTM_API_URL && ctx.endpoints.airtm.apiUrl ? { AIRTM_API_URL: ctx.endpoints.airtm.apiUrl } : {}),
  });
  const database = createDatabase(ctx.endpoints.databaseUrl, 4);
  const connection = await Connection.connect({ address: ctx.endpoints.temporal.address, connectTimeout: 5000 }).catch(async (err) => {
    await database.close();
    throw err;
  });
  return {
    config,
    database,
    temporal: new Client({ connection, namespace: ctx.endpoints.temporal.namespace }),
    async close() {
      await connection.close();
      await database.close();
    },
  };
}
