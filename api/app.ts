import express, { type Express, Router } from 'express';
import type { ApiDeps } from './context';
import { routeHandler } from './http/pipeline';
import { requestContext } from './http/request-context';
import { errorMiddleware, notFound } from './middleware/errors';
import { jsonBody } from './middleware/json-body';
import { createMetrics } from './middleware/metrics';
import { docsRouter } from './openapi/docs-page';
import { buildOpenApiDocument } from './openapi/document';
import { routes } from './routes';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  const metrics = createMetrics([deps.walletActivations]);
  const openapi = JSON.stringify(buildOpenApiDocument(routes, deps.version));

  app.use(requestContext(deps.logger));
  app.use(metrics.middleware);
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));

  const v1 = Router();
  for (const route of routes) {
    const label = `/api/v1${route.path}`;
    v1[route.method](route.path, (_req, res, next) => ((res.locals.route = label), next()), routeHandler(route, deps));
  }
  v1.get('/openapi.json', (_req, res) => void res.type('json').send(openapi));
  app.use('/api/v1', v1);
  app.get('/metrics', async (_req, res) => void res.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.use(docsRouter());
  app.use(notFound());
  app.use(errorMiddleware());
  return app;
}
