import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { airtmTaskQueue, escrowTaskQueue } from '../../workflows/ids';
import { unique } from './app';
import { quietTemporalRuntime } from './stellar-stack';

export interface StubbedWorker {
  /** This suite's own task queue. */
  taskQueue: string;
  /** A client on the run's Temporal server (set once the suite's beforeAll has run). */
  client: Client;
}

/**
 * Workflow tests: a real worker running the bundled workflows over the suite's stubbed activities on a task queue of
 * its own, and a client, started before the suite's tests and stopped after them.
 */
export function useStubbedWorker(queuePrefix: string, activities: object): StubbedWorker {
  const env = { taskQueue: unique(queuePrefix) } as StubbedWorker;
  let connection: NativeConnection | undefined;
  let clientConnection: Connection | undefined;
  let worker: Worker | undefined;
  let escrowWorker: Worker | undefined;
  let airtmWorker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    quietTemporalRuntime();
    connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
    clientConnection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    env.client = new Client({ connection: clientConnection });
    worker = await Worker.create({
      connection,
      taskQueue: env.taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      activities,
    });
    // The escrow steps run on the Trustless Work queue (workflows/ids.ts escrowTaskQueue), unpaced here.
    escrowWorker = await Worker.create({ connection, taskQueue: escrowTaskQueue(env.taskQueue), activities });
    // Likewise the Airtm calls (airtmTaskQueue).
    airtmWorker = await Worker.create({ connection, taskQueue: airtmTaskQueue(env.taskQueue), activities });
    running = Promise.all([worker.run(), escrowWorker.run(), airtmWorker.run()]).then(() => undefined);
  }, 60_000);
  afterAll(async () => {
    if (worker && escrowWorker && airtmWorker) {
      worker.shutdown();
      escrowWorker.shutdown();
      airtmWorker.shutdown();
      await running;
    }
    await clientConnection?.close();
    await connection?.close();
  });
  return env;
}
