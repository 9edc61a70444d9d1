import { buildApiDeps } from '../../api/context';
import { createApp } from '../../api/app';
import { createMetrics } from '../../api/middleware/metrics';
import { routes } from '../../api/routes';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import { createTemporalHandle } from '../../src/temporal/connection';
import { startTestApi, type TestApi } from '../helpers/app';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** Walks Express 5's router to list every mounted /api/v1 route as "METHOD /api/v1/path/{param}". */
function mountedRoutes(): string[] {
  const config = loadConfig({ ...process.env });
  const database = createDatabase(config.DATABASE_URL, 1);
  const app = createApp(
    buildApiDeps({
      config,
      database,
      logger: createLogger('silent'),
      temporal: createTemporalHandle({ address: '127.0.0.1:1', namespace: 'x' }),
      version: 't',
    }),
    createMetrics(),
  );
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods))
          out.push(`${m.toUpperCase()} ${prefix}${layer.route.path}`.replace(/:([A-Za-z_]+)/g, '{$1}'));
      } else if (layer.handle?.stack && prefix === '' && layer.match('/api/v1') && !layer.match('/docs')) {
        walk(layer.handle.stack, '/api/v1');
      }
    }
  };
  walk((app as any).router.stack, '');
  void database.close();
  return out.filter((r) => r.includes('/api/v1/') && !r.endsWith('/openapi.json'));
}

test('every mounted /api/v1 route is in the OpenAPI document, with its method', async () => {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
  expect(doc.openapi).toBe('3.1.0');
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  const mounted = mountedRoutes();
  expect(mounted.length).toBeGreaterThanOrEqual(routes.length);
  for (const r of mounted) expect(documented).toContain(r);
});

test('request bodies and parameters in the document come from the validating schemas', async () => {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
  const createUser = doc.paths['/api/v1/users'].post;
  const schema = createUser.requestBody.content['application/json'].schema;
  expect(schema.required.sort()).toEqual(['external_user_id', 'type']);
  expect(schema.properties.type.enum).toEqual(['BUYER', 'SELLER', 'BOTH']);
  expect(schema.additionalProperties).toBe(false);
  const list = doc.paths['/api/v1/users'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
  expect(list).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'query:type', 'query:created_after']));
  expect(doc.paths['/api/v1/users/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
});

test('withdrawals document both destinations (Stellar, Airtm), commit for Airtm, and the Airtm commit and cancel routes', async () => {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
  const body = doc.paths['/api/v1/withdrawals'].post.requestBody.content['application/json'].schema;
  const destination = JSON.stringify(body.properties.destination);
  expect(destination).toMatch(/"stellar"[\s\S]*"address"|"address"[\s\S]*"stellar"/);
  expect(destination).toMatch(/"airtm"[\s\S]*"email"|"email"[\s\S]*"airtm"/);
  expect(body.properties.commit.type).toBe('boolean');
  for (const step of ['commit', 'cancel']) {
    const op = doc.paths[`/api/v1/withdrawals/{id}/${step}`].post;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
  }
  expect(JSON.stringify(doc.components.schemas.Withdrawal)).toContain('WITHDRAWAL_AWAITING_RECIPIENT');
});

test('/docs serves a browsable reference whose assets load locally', async () => {
  const page = await fetch(`${api.url}/docs`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
  const bundle = await fetch(`${api.url}/docs/assets/swagger-ui-bundle.js`);
  expect(bundle.status).toBe(200);
  expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  const init = await (await fetch(`${api.url}/docs/init.js`)).text();
  expect(init).toContain('/api/v1/openapi.json');
});
