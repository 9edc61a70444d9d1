import express, { type Express } from 'express';
import type { Metrics } from './middleware/metrics';
import { securityHeaders } from './middleware/security-headers';

/**
 * The metrics listener (METRICS_HOST:METRICS_PORT, 127.0.0.1:9464 by default): GET /metrics in Prometheus' text
 * format and nothing else. It is never mounted on the public API port: request volumes by route are business data.
 */
export function createMetricsApp(metrics: Metrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders());
  app.get('/metrics', async (_req, res) => void res.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.use((_req, res) => void res.status(404).type('text').send('Not found: only /metrics is served here\n'));
  return app;
}
