import http from 'node:http';
import { buildApiDeps } from './context';
import { createApp } from './app';
import { answerClientErrors } from './http/client-errors';
import { createMetricsApp } from './metrics-app';
import { createMetrics, eventStreamMetrics } from './middleware/metrics';
import { loadConfig, requireFor } from '../src/config';
import { createDatabase } from '../src/db/client';
import { pruneEvents } from '../src/events/events-repository';
import { purgeExpired } from '../src/idempotency-repository';
import { createLogger } from '../src/logger';
import { purgeRateLimitWindows } from '../src/rate-limit';
import { createTemporalHandle } from '../src/temporal/connection';
import { VERSION } from '../src/version';

/**
 * The API process: the public app on HOST:PORT, the metrics on METRICS_HOST:METRICS_PORT (127.0.0.1:9464), plus the
 * periodic purge of expired idempotency records and rate-limit windows, and of events older than EVENTS_RETENTION_DAYS
 * (every API process prunes: the DELETE is idempotent, and the API is the process that serves events).
 */
export async function startApi(config = loadConfig()) {
  requireFor('api', config);
  const logger = createLogger(config.LOG_LEVEL, { part: 'api' });
  const database = createDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const temporal = createTemporalHandle({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const deps = buildApiDeps({ config, database, logger, temporal, version: VERSION });
  await deps.session.start();
  const metrics = createMetrics([deps.walletActivations, ...eventStreamMetrics(deps.events)]);
  const server = http.createServer(createApp(deps, metrics));
  server.keepAliveTimeout = 65_000;
  answerClientErrors(server);
  const metricsServer = http.createServer(createMetricsApp(metrics));
  await listen(server, config.PORT, config.HOST);
  await listen(metricsServer, config.METRICS_PORT, config.METRICS_HOST);
  const purge = setInterval(() => {
    const retention = new Date(Date.now() - config.EVENTS_RETENTION_DAYS * 86_400_000);
    Promise.all([
      purgeExpired(database.pool),
      purgeRateLimitWindows(database.pool),
      deps.rateLimiter.prune(),
      pruneEvents(database.pool, retention),
    ]).catch((err) => logger.warn({ err }, 'purge failed'));
  }, 60_000);
  purge.unref();
  const port = portOf(server, config.PORT);
  const metricsPort = portOf(metricsServer, config.METRICS_PORT);
  logger.info({ port, metrics: `${config.METRICS_HOST}:${metricsPort}` }, 'api listening');
  return {
    port,
    metricsPort,
    async stop() {
      clearInterval(purge);
      // Event streams never end on their own: their connections are closed, not waited for.
      const closed = [server, metricsServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      server.closeAllConnections();
      metricsServer.closeAllConnections();
      await Promise.all(closed);
      await deps.events.feed.close();
      await deps.session.close();
      await deps.rateLimiter.close();
      await temporal.close();
      await database.close();
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function portOf(server: http.Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}
