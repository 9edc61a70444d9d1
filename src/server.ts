import http from 'node:http';
import { buildApiDeps } from '../api/context';
import { createApp } from '../api/app';
import { loadConfig } from './config';
import { createDatabase } from './db/client';
import { purgeExpired } from './idempotency';
import { createLogger } from './logger';
import { purgeRateLimitWindows } from './rate-limit';
import { createTemporalHandle } from './temporal/connection';
import { VERSION } from './version';

/** The API process: Express on PORT, plus the periodic purge of expired idempotency records and rate-limit windows. */
export async function startApi(config = loadConfig()) {
  const logger = createLogger(config.LOG_LEVEL, { part: 'api' });
  const database = createDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const temporal = createTemporalHandle({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const deps = buildApiDeps({ config, database, logger, temporal, version: VERSION });
  const app = createApp(deps);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const purge = setInterval(() => {
    Promise.all([purgeExpired(database.pool), purgeRateLimitWindows(database.pool), deps.rateLimiter.prune()]).catch((err) => logger.warn({ err }, 'purge failed'));
  }, 60_000);
  purge.unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port }, 'api listening');
  return {
    port,
    async stop() {
      clearInterval(purge);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await deps.rateLimiter.close();
      await temporal.close();
      await database.close();
    },
  };
}

if (require.main === module) {
  startApi().then(
    (api) => {
      const shutdown = () => void api.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
