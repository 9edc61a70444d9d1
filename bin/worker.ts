/** Entry point of the worker process (`node dist/bin/worker.js`): reads the configuration, runs the worker, stops on SIGINT/SIGTERM. */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import { type Config, loadConfig } from '../src/config';
import { createLogger, type Logger } from '../src/logger';
import { startWorker } from '../worker/worker';

/**
 * Once per process: routes the Temporal SDK's own logs (bundler, worker state, retries) into our JSON log, and serves
 * the SDK's metrics for Prometheus on WORKER_METRICS_ADDRESS.
 */
function installRuntime(logger: Logger, config: Config): void {
  const sdkLevel: LogLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  const method = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (e) => logger[method[e.level]]({ ...e.meta, sdk: true }, e.message)),
    ...(config.WORKER_METRICS_ADDRESS
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS, countersTotalSuffix: true } } } }
      : {}),
  });
  if (config.WORKER_METRICS_ADDRESS) logger.info({ address: config.WORKER_METRICS_ADDRESS }, 'worker metrics on /metrics');
}

async function main() {
  const config = loadConfig();
  installRuntime(createLogger(config.LOG_LEVEL, { part: 'worker' }), config);
  return startWorker({ config });
}

main().then(
  (w) => {
    const shutdown = () => void w.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    w.running.catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
