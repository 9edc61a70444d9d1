import path from 'node:path';
import express, { Router } from 'express';

/**
 * What the /docs page may load: its scripts and stylesheet from this origin (swagger-ui-dist's files and init.js,
 * no inline script), the CSS's data: images, the OpenAPI document and "Try it out" calls to this origin; nothing
 * remote, no framing. Inline styles are allowed: Swagger UI renders Markdown descriptions and highlighted examples
 * with style attributes.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** A browsable reference at /docs: Swagger UI served from the local swagger-ui-dist package, reading /api/v1/openapi.json. */
export function docsRouter(): Router {
  const router = Router();
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>OFFER-HUB Orchestrator API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`);
  });
  // validatorUrl: null keeps Swagger UI from sending the document's URL to validator.swagger.io for its badge.
  router.get('/docs/init.js', (_req, res) => {
    res
      .type('js')
      .send(`window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', persistAuthorization: true, validatorUrl: null });`);
  });
  router.use('/docs/assets', express.static(assets, { index: false }));
  return router;
}
