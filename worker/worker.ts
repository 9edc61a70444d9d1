import { NativeConnection, Worker } from '@temporalio/worker';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { createActivities } from '../activities';
import { cursorName } from '../src/deposits/scan-deposits';
import { createStellarNetwork } from '../src/stellar/network';
import { trustlessWorkFromConfig } from '../src/providers/trustless-work/client';
import { airtmFromConfig } from '../src/providers/airtm/client';
import { airtmActivitiesPerSecond } from '../src/providers/airtm/request-budget';
import { walletSecretBox } from '../src/wallets/wallet-keys';
import { airtmTaskQueue, depositWatcherId, escrowTaskQueue } from '../workflows/ids';
import { escrowStepsPerSecond } from '../src/providers/trustless-work/request-budget';
import { type Config, loadConfig, providerEnabled, requireFor } from '../src/config';
import { createDatabase, type Database } from '../src/db/client';
import { createLogger } from '../src/logger';
import { createTemporalHandle } from '../src/temporal/connection';
import { signalSenders } from '../src/temporal/signal-senders';
import { EventNotifications } from '../src/events/event-notifications';
import { startWebhookDelivery } from '../src/webhooks/delivery-workflow';
import { activeEndpointIds } from '../src/webhooks/webhooks-repository';
import { WORKFLOWS_PATH } from './workflow-bundle';
import { verifyProof } from '../src/onramp/proof';
import { onrampProofPolicy } from '../src/onramp/policy';

/**
 * The worker process: polls the task queue and runs workflows and activities. It loads a prebuilt workflow bundle
 * when `workflowBundlePath` is given (tests bundle once per run) and otherwise bundles at start-up.
 */
export async function startWorker(
  opts: { config?: ReturnType<typeof loadConfig>; taskQueue?: string; workflowBundlePath?: string; depositWatcher?: boolean } = {},
) {
  const config = opts.config ?? loadConfig();
  requireFor('worker', config);
  const logger = createLogger(config.LOG_LEVEL, { part: 'worker' });
  const database = createDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const taskQueue = opts.taskQueue ?? config.TEMPORAL_TASK_QUEUE;
  const bundlePath = opts.workflowBundlePath ?? config.WORKFLOW_BUNDLE_PATH;
  const temporal = createTemporalHandle({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  // Wakes webhook deliveries waiting for a new event (one LISTEN connection for the whole worker).
  const notifications = new EventNotifications({ url: config.DATABASE_URL, logger });
  await notifications.start();
  const activities = createActivities({
    database,
    logger,
    stellar: createStellarNetwork(config),
    secretBox: walletSecretBox(config),
    depositCursorName: cursorName(config.HORIZON_URL),
    trustlessWork: trustlessWorkFromConfig(config),
    airtm: providerEnabled(config, 'airtm') ? airtmFromConfig(config) : null,
    signalSenders: signalSenders(() => temporal.client()),
    walletActivationChannels: config.WALLET_ACTIVATION_CHANNELS,
    onramp: { verifyProof, policy: onrampProofPolicy(config) },
    webhooks: {
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowInsecure: config.WEBHOOKS_ALLOW_INSECURE_URLS,
      subscribe: (listener) => notifications.subscribe(listener),
    },
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const escrowWorker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: escrowTaskQueue(taskQueue),
    activities,
    maxTaskQueueActivitiesPerSecond: escrowStepsPerSecond(config.TRUSTLESS_WORK_REQUESTS_PER_MINUTE),
  });
  // Airtm mode: the activities that call Airtm, paced for the whole cluster to Airtm's request limit.
  const airtmWorker = providerEnabled(config, 'airtm')
    ? await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: airtmTaskQueue(taskQueue),
        activities,
        maxTaskQueueActivitiesPerSecond: airtmActivitiesPerSecond(config.AIRTM_REQUESTS_PER_SECOND),
      })
    : null;
  const workers = [worker, escrowWorker, ...(airtmWorker ? [airtmWorker] : [])];
  const running = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  logger.info(
    { taskQueue, escrowTaskQueue: escrowTaskQueue(taskQueue), airtmTaskQueue: airtmWorker ? airtmTaskQueue(taskQueue) : null },
    'worker polling',
  );
  // Crypto mode: Stellar deposits are found by the deposit watcher; Airtm alone has none to find.
  if ((opts.depositWatcher ?? true) && providerEnabled(config, 'crypto')) await ensureDepositWatcher(config, taskQueue);
  await resumeWebhookDeliveries(config, database, await temporal.client(), taskQueue);
  return {
    worker,
    running,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await notifications.close();
      await temporal.close();
      await database.close();
    },
  };
}

/** Starts the deposit watcher for this task queue unless it is already running (one per Horizon and queue). */
async function ensureDepositWatcher(config: ReturnType<typeof loadConfig>, taskQueue: string): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }).workflow.start('depositWatcher', {
      workflowId: depositWatcherId(taskQueue),
      taskQueue,
      args: [{ pollIntervalMs: config.DEPOSIT_POLL_INTERVAL_MS }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
  } finally {
    await connection.close();
  }
}

/**
 * Starts the delivery workflow of every active webhook endpoint that has none running (after Temporal lost its state,
 * or an endpoint whose start failed half-way); a running one is left as it is.
 */
async function resumeWebhookDeliveries(config: Config, database: Database, client: Client, taskQueue: string): Promise<void> {
  const registered = new Date(Date.now() - 60_000);
  for (const endpointId of await activeEndpointIds(database.db, registered))
    await startWebhookDelivery(client, config, taskQueue, endpointId);
}
