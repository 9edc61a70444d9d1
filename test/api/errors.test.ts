import { startTestApi, type TestApi, unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

let api: TestApi;
let key: string;
const db = testDatabase(2);
beforeAll(async () => {
  api = await startTestApi({ BODY_LIMIT_BYTES: '2048' });
  key = await api.keyWith('read', 'write');
});
afterAll(async () => {
  await api.close();
  await db.close();
});

function expectEnvelope(res: { status: number; body: any; headers: Headers }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(typeof res.body.error.details).toBe('object');
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

const post = (opts: { rawBody?: string; body?: unknown; headers?: Record<string, string> }) =>
  api.call('POST', '/api/v1/users', { key, ...opts });

test('malformed JSON answers 400 VALIDATION_ERROR', async () => {
  expectEnvelope(
    await post({ rawBody: '{"external_user_id": ', headers: { 'content-type': 'application/json' } }),
    400,
    'VALIDATION_ERROR',
  );
});

test('a body that is not application/json answers 400 VALIDATION_ERROR naming the content type', async () => {
  const res = await post({ rawBody: 'external_user_id=x&type=BUYER', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.body.error.details.fields[0].field).toBe('headers.content-type');
});

test('a body over the size limit answers 400 VALIDATION_ERROR with the limit', async () => {
  const res = await post({ body: { external_user_id: 'x'.repeat(5000), type: 'BUYER' } });
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.body.error.details.limit_bytes).toBe(2048);
});

test('unknown and mistyped fields answer 400 VALIDATION_ERROR listing each offending field', async () => {
  const res = await post({ body: { external_user_id: 42, type: 'BUYER', is_admin: true } });
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  const fields = res.body.error.details.fields.map((f: { field: string }) => f.field).sort();
  expect(fields).toEqual(['body', 'body.external_user_id']);
  const unknown = res.body.error.details.fields.find((f: { field: string }) => f.field === 'body');
  expect(unknown.keys).toEqual(['is_admin']);
});

test('a missing required field answers 400 VALIDATION_ERROR naming it', async () => {
  const res = await post({ body: { type: 'BUYER' } });
  expectEnvelope(res, 400, 'VALIDATION_ERROR');
  expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['body.external_user_id']);
});

test('an unknown route answers 404 NOT_FOUND in the envelope', async () => {
  expectEnvelope(await api.call('GET', '/api/v1/nothing-here', { key }), 404, 'NOT_FOUND');
  expectEnvelope(await api.call('PUT', '/api/v1/users', { key, body: {} }), 404, 'NOT_FOUND');
});

// An unreachable database is an outage to retry through (test/api/database-unavailable.test.ts: other faults stay 500).
test('an unreachable database answers 503 SERVICE_UNAVAILABLE with a generic message and no internals', async () => {
  const broken = await startTestApi({ DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' });
  try {
    const res = await broken.call('GET', '/api/v1/users', { key });
    expectEnvelope(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.body.error.message).toBe('The database cannot be reached; retry later');
    expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
  } finally {
    await broken.close();
  }
});

test('X-Request-ID is echoed when sane and generated otherwise', async () => {
  const echoed = await api.call('GET', '/api/v1/users?limit=1', { key, headers: { 'x-request-id': 'req-abc.123' } });
  expect(echoed.headers.get('x-request-id')).toBe('req-abc.123');
  const generated = await api.call('GET', '/api/v1/users?limit=1', { key });
  expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const hostile = await api.call('GET', '/api/v1/users?limit=1', { key, headers: { 'x-request-id': 'a b<script>' } });
  expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('a refused request changes nothing', async () => {
  const ext = unique('err');
  await post({ body: { external_user_id: ext, type: 'BUYER', extra: 1 } });
  await post({ rawBody: `{"external_user_id":"${ext}","type":"BUYER"`, headers: { 'content-type': 'application/json' } });
  const after = Number((await db.pool.query('SELECT count(*) FROM users WHERE external_user_id = $1', [ext])).rows[0].count);
  expect(after).toBe(0);
});

test('a provider that cannot be reached answers 502 PROVIDER_ERROR, not 500', async () => {
  const cut = await startTestApi({ HORIZON_URL: 'http://127.0.0.1:1' });
  try {
    const userId = (await cut.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('prov'), type: 'BUYER' } })).body.data
      .id;
    await db.pool.query(`UPDATE wallets SET status = 'ACTIVE' WHERE user_id = $1`, [userId]);
    const res = await cut.call('GET', '/api/v1/reconciliation/custody', { key: await cut.keyWith('support') });
    expectEnvelope(res, 502, 'PROVIDER_ERROR');
  } finally {
    await cut.close();
  }
});
