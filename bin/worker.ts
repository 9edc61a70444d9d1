/** Entry point of the worker process (`node dist/bin/worker.js`): reads the configuration, runs the worker, stops on SIGINT/SIGTERM. */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger, type Logger } from '../src/logger';
import { startWorker } from '../worker/worker';

/** Routes the Temporal SDK's own logs (bundler, worker state, retries) into our JSON log; once per process. */
function installRuntimeLogger(logger: Logger, level: string): void {
  const sdkLevel: LogLevel = level === 'debug' || level === 'trace' ? 'DEBUG' : 'WARN';
  const method = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  Runtime.install({ logger: new DefaultLogger(sdkLevel, (e) => logger[method[e.level]]({ ...e.meta, sdk: true }, e.message)) });
}

async function main() {
  const config = loadConfig();
  installRuntimeLogger(createLogger(config.LOG_LEVEL, { part: 'worker' }), config.LOG_LEVEL);
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
