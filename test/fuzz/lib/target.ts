import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createDatabase } from '../../../src/db/client';
import { startTestApi } from '../../helpers/app';
import { createFixtures } from './fixtures';
import type { FuzzTarget } from './runner';
import { snapshot } from './state';

/** Port 9 (discard) on this host: nothing listens there. */
const UNREACHABLE = 'http://127.0.0.1:9';

export interface StartedTarget extends FuzzTarget {
  close(): Promise<void>;
}

/**
 * The API under fuzz: the real app in this process on `databaseUrl` (a database of its own: the state check compares
 * whole tables) and the run's Temporal server, on a task queue of its own that no worker polls, so nothing moves
 * but what a request moves. Its fixtures are made through the API before the first snapshot.
 */
export async function startFuzzTarget(databaseUrl: string): Promise<StartedTarget> {
  const taskQueue = `fuzz-${crypto.randomBytes(4).toString('hex')}`;
  const api = await startTestApi({
    DATABASE_URL: databaseUrl,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WEBHOOKS_ALLOW_INSECURE_URLS: 'true',
    // Every provider configured, as a deployment is, and none reachable: a request that reached one would show.
    HORIZON_URL: UNREACHABLE,
    TRUSTLESS_WORK_URL: UNREACHABLE,
    TRUSTLESS_WORK_API_KEY: 'fuzz',
    AIRTM_API_URL: UNREACHABLE,
    AIRTM_API_KEY: 'fuzz',
    AIRTM_API_SECRET: 'fuzz',
    AIRTM_WEBHOOK_SECRET: 'fuzz',
  });
  const database = createDatabase(databaseUrl, 2);
  const connection = await Connection.connect({ address: api.config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: api.config.TEMPORAL_NAMESPACE });
  try {
    const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
    const fixtures = await createFixtures(async (method, path, token, body) => {
      const res = await api.call(method, path, { key: token, body });
      return { status: res.status, body: res.body };
    }, api.masterKey);
    return {
      baseUrl: api.url,
      doc,
      fixtures,
      snapshot: () => snapshot(database.pool, client, taskQueue),
      async close() {
        await connection.close();
        await database.close();
        await api.close();
      },
    };
  } catch (err) {
    await connection.close();
    await database.close();
    await api.close();
    throw err;
  }
}
