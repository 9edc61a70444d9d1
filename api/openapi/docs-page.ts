import path from 'node:path';
import express, { Router } from 'express';

/** A browsable reference at /docs: Swagger UI served from the local swagger-ui-dist package, reading /api/v1/openapi.json. */
export function docsRouter(): Router {
  const router = Router();
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>OFFER-HUB Orchestrator API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('js').send(`window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', persistAuthorization: true });`);
  });
  router.use('/docs/assets', express.static(assets, { index: false }));
  return router;
}
