import http from 'node:http';
import { buildApiDeps } from './context';
import { createApp } from './app';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/client';
import { purgeExpired } from '../src/idempotency-repository';
import { createLogger } from '../src/logger';
import { purgeRateLimitWindows } from '../src/rate-limit';
import { createTemporalHandle } from '../src/temporal/connection';
import { VERSION } from '../src/version';

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
    Promise.all([purgeExpired(database.pool), purgeRateLimitWindows(database.pool), deps.rateLimiter.prune()]).catch((err) =>
      logger.warn({ err }, 'purge failed'),
    );
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
