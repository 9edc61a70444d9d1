import { Pool } from 'pg';
import { startTestApi, type TestApi, unique } from '../helpers/app';

/**
 * The webhook endpoints' API, with the production URL policy (https only, no internal addresses): registration,
 * ownership per API key, validation. Deliveries are test/webhooks/delivery.test.ts.
 */
let api: TestApi;
let insecureApi: TestApi;
let owner: string;
let other: string;
let readOnly: string;
const created: Array<{ id: string; key: string; via: TestApi }> = [];

beforeAll(async () => {
  const queue = unique('tq-webhooks-api'); // no worker polls it: the delivery workflows wait, nothing is sent
  api = await startTestApi({ TEMPORAL_TASK_QUEUE: queue, WEBHOOKS_ALLOW_INSECURE_URLS: 'false' });
  insecureApi = await startTestApi({ TEMPORAL_TASK_QUEUE: queue, WEBHOOKS_ALLOW_INSECURE_URLS: 'true' });
  [owner, other, readOnly] = [await api.keyWith('read', 'write'), await api.keyWith('read', 'write'), await api.keyWith('read')];
}, 60_000);

afterAll(async () => {
  for (const c of created) await c.via.call('DELETE', `/api/v1/webhooks/${c.id}`, { key: c.key });
  await api.close();
  await insecureApi.close();
});

async function register(body: object, key = owner, via = api) {
  const res = await via.call('POST', '/api/v1/webhooks', { key, body });
  if (res.status === 201) created.push({ id: res.body.data.id, key, via });
  return res;
}

function refusedField(res: { status: number; body: any }) {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  return res.body.error.details.fields[0];
}

test('registering answers the endpoint and its whsec_ secret once; reads never show it, the database holds it sealed', async () => {
  const res = await register({ url: 'https://8.8.8.8/hooks/offerhub', events: ['order.*', 'deposit.credited'], description: 'orders' });
  expect(res.status).toBe(201);
  const { secret, ...endpoint } = res.body.data;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(endpoint).toMatchObject({
    url: 'https://8.8.8.8/hooks/offerhub',
    events: ['order.*', 'deposit.credited'],
    description: 'orders',
    status: 'active',
    disabled_reason: null,
    previous_secret_expires_at: null,
  });
  expect(endpoint.id).toMatch(/^whk_[0-9a-z]{26}$/);

  const read = await api.call('GET', `/api/v1/webhooks/${endpoint.id}`, { key: owner });
  expect(read.status).toBe(200);
  expect(read.body.data).toEqual(endpoint);
  expect(read.text).not.toContain('whsec_');
  const listed = await api.call('GET', '/api/v1/webhooks', { key: owner });
  expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(endpoint.id);
  expect(listed.text).not.toContain('whsec_');

  const pool = new Pool({ connectionString: process.env.DATABASE_URL });
  try {
    const { rows } = await pool.query('SELECT secret_sealed, owner FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
    expect(rows[0].secret_sealed).toMatch(/^v2\./);
    expect(rows[0].secret_sealed).not.toContain(secret.slice(6, 20));
    expect(rows[0].owner).toMatch(/^key_/);
  } finally {
    await pool.end();
  }
});

test('a replay under the same Idempotency-Key answers the same endpoint and secret', async () => {
  const headers = { 'idempotency-key': unique('idem') };
  const body = { url: 'https://8.8.8.8/hooks/replayed', events: ['order.created'] };
  const first = await api.call('POST', '/api/v1/webhooks', { key: owner, body, headers });
  const second = await api.call('POST', '/api/v1/webhooks', { key: owner, body, headers });
  expect(first.status).toBe(201);
  created.push({ id: first.body.data.id, key: owner, via: api });
  expect(second.body.data).toEqual(first.body.data);
});

test('another API key cannot see, list, rotate, delete or read the deliveries of an endpoint: 404', async () => {
  const { id } = (await register({ url: 'https://8.8.8.8/hooks/mine', events: ['order.*'] })).body.data;
  for (const [method, path] of [
    ['GET', `/api/v1/webhooks/${id}`],
    ['DELETE', `/api/v1/webhooks/${id}`],
    ['POST', `/api/v1/webhooks/${id}/rotate-secret`],
    ['GET', `/api/v1/webhooks/${id}/deliveries`],
  ]) {
    const res = await api.call(method, path, { key: other });
    expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'WEBHOOK_NOT_FOUND']);
  }
  const listed = await api.call('GET', '/api/v1/webhooks', { key: other });
  expect(listed.body.data.map((e: { id: string }) => e.id)).not.toContain(id);
  expect((await api.call('GET', `/api/v1/webhooks/${id}`, { key: owner })).status).toBe(200); // still there
});

test('deleting twice: 200 then 404', async () => {
  const { id } = (await register({ url: 'https://8.8.8.8/hooks/gone', events: ['order.*'] })).body.data;
  expect((await api.call('DELETE', `/api/v1/webhooks/${id}`, { key: owner })).status).toBe(200);
  const again = await api.call('DELETE', `/api/v1/webhooks/${id}`, { key: owner });
  expect([again.status, again.body.error.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
});

test('in production an http URL is refused: https_required', async () => {
  expect(refusedField(await register({ url: 'http://8.8.8.8/hook', events: ['order.*'] }))).toMatchObject({
    field: 'body.url',
    code: 'https_required',
  });
});

test.each(['https://127.0.0.1/hook', 'https://10.0.0.1/hook', 'https://[::1]/hook', 'https://169.254.169.254/hook'])(
  'in production %s is refused: internal_address',
  async (url) => {
    expect(refusedField(await register({ url, events: ['order.*'] }))).toMatchObject({ field: 'body.url', code: 'internal_address' });
  },
);

test('in production a host name resolving to loopback (localhost) is refused after resolution', async () => {
  expect(refusedField(await register({ url: 'https://localhost:8443/hook', events: ['order.*'] }))).toMatchObject({
    field: 'body.url',
    code: 'internal_address',
  });
});

test('where insecure URLs are allowed (the local stack), http on loopback and private addresses is accepted', async () => {
  for (const url of ['http://127.0.0.1:9/hook', 'http://10.0.0.1/hook', 'http://localhost:3000/hook']) {
    const res = await register({ url, events: ['order.*'] }, owner, insecureApi);
    expect([url, res.status]).toEqual([url, 201]);
  }
});

test('filters must be event types, prefix wildcards or *; at least one; no repeats; no unknown fields', async () => {
  const url = 'https://8.8.8.8/hook';
  expect(refusedField(await register({ url, events: [] })).field).toBe('body.events');
  expect(refusedField(await register({ url, events: ['order.**'] })).field).toBe('body.events.0');
  expect(refusedField(await register({ url, events: ['Order.Created'] })).field).toBe('body.events.0');
  expect(refusedField(await register({ url, events: ['order.*', 'order.*'] })).field).toBe('body.events');
  expect(refusedField(await register({ url, events: ['*'], secret: 'whsec_mine' })).code).toBe('unrecognized_keys');
  expect((await register({ url, events: ['*'] })).status).toBe(201);
});

test('a read-only key can list but not register: 403 INSUFFICIENT_SCOPE', async () => {
  const res = await register({ url: 'https://8.8.8.8/hook', events: ['order.*'] }, readOnly);
  expect([res.status, res.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
  expect((await api.call('GET', '/api/v1/webhooks', { key: readOnly })).status).toBe(200);
});

test('an id that is not a webhook id is 404, and a list cursor this API did not issue is 400', async () => {
  const res = await api.call('GET', '/api/v1/webhooks/not-an-id', { key: owner });
  expect([res.status, res.body.error.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
  expect(refusedField(await api.call('GET', '/api/v1/webhooks?cursor=bogus', { key: owner })).code).toBe('invalid_cursor');
});

test('the OpenAPI document describes every webhook route', async () => {
  const doc = (await api.call('GET', '/api/v1/openapi.json', { key: null })).body;
  expect(Object.keys(doc.paths['/api/v1/webhooks'])).toEqual(expect.arrayContaining(['get', 'post']));
  expect(Object.keys(doc.paths['/api/v1/webhooks/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
  expect(doc.paths['/api/v1/webhooks/{id}/rotate-secret'].post).toBeDefined();
  expect(doc.paths['/api/v1/webhooks/{id}/deliveries'].get).toBeDefined();
  expect(doc.paths['/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry'].post).toBeDefined();
  expect(doc.components.schemas.WebhookEndpoint).toBeDefined();
  expect(doc.components.schemas.WebhookDelivery).toBeDefined();
});
