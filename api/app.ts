import express, { type Express, Router } from 'express';
import type { ApiDeps } from './context';
import { limitByAddress } from './http/limits';
import { routeHandler } from './http/pipeline';
import { requestContext } from './http/request-context';
import { errorMiddleware, notFound } from './middleware/errors';
import { jsonBody } from './middleware/json-body';
import type { Metrics } from './middleware/metrics';
import { securityHeaders } from './middleware/security-headers';
import { docsRouter } from './openapi/docs-page';
import { buildOpenApiDocument } from './openapi/document';
import { routes } from './routes';

/** The public app: /api/v1 and /docs. Its request metrics are recorded into `metrics`, served on their own listener. */
export function createApp(deps: ApiDeps, metrics: Metrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', deps.config.TRUST_PROXY);
  const openapi = JSON.stringify(buildOpenApiDocument(routes, deps.version));

  app.use(securityHeaders());
  app.use(requestContext(deps.logger));
  app.use(metrics.middleware);
  app.use('/api/v1', limitByAddress(deps));
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));

  const v1 = Router();
  for (const route of routes) {
    const label = `/api/v1${route.path}`;
    v1[route.method](route.path, (_req, res, next) => ((res.locals.route = label), next()), routeHandler(route, deps));
  }
  v1.get('/openapi.json', (_req, res) => void res.type('json').send(openapi));
  // Anything else under /api/v1 is refused here, whatever the method: otherwise the router answers OPTIONS itself,
  // 200 text/plain listing the path's methods to anyone, without a key.
  v1.use(notFound());
  app.use('/api/v1', v1);
  app.use(docsRouter());
  app.use(notFound());
  app.use(errorMiddleware());
  return app;
}
