import { testDatabase } from '../helpers/db';
import { startTestApi, type TestApi, unique } from '../helpers/app';

/** The audit log through GET /audit/logs: key changes as recorded, filters, pages, refusals; and the table refuses rewrites. */
let api: TestApi;
let support: string;
const db = testDatabase(2);
beforeAll(async () => {
  api = await startTestApi();
  support = await api.keyWith('support');
});
afterAll(async () => {
  await api.close();
  await db.close();
});

const logs = (query: string, key = support) => api.call('GET', `/api/v1/audit/logs?${query}`, { key });
/** Creates a key as the master key under this X-Request-ID; answers the key's row and the request id the API echoed. */
const createKey = async (requestId: string, scopes = ['read']) => {
  const res = await api.call('POST', '/api/v1/auth/api-keys', {
    body: { name: 'audited', scopes },
    headers: { 'x-request-id': requestId },
  });
  expect(res.status).toBe(201);
  const d = res.body.data;
  return { id: d.id as string, prefix: d.prefix as string, secret: d.key as string, requestId: res.headers.get('x-request-id')! };
};

test('creating and revoking a key are recorded with the master key as actor, the request id and the statuses; never the secret', async () => {
  const created = await createKey(unique('req-create'), ['read', 'write']);
  expect(created.requestId).toMatch(/^req-create-/);
  const revokeId = unique('req-revoke');
  const revoked = await api.call('DELETE', `/api/v1/auth/api-keys/${created.id}`, { headers: { 'x-request-id': revokeId } });
  expect(revoked.status).toBe(200);
  // Revoking twice keeps the first revocation and records nothing more.
  expect((await api.call('DELETE', `/api/v1/auth/api-keys/${created.id}`)).status).toBe(200);

  const res = await logs(`resource_type=api_key&resource_id=${created.id}`);
  expect(res.status).toBe(200);
  expect(res.body.pagination).toEqual({ has_more: false, next_cursor: null });
  expect(res.body.data).toEqual([
    {
      id: expect.any(Number),
      occurred_at: expect.any(String),
      actor_type: 'master_key',
      actor_id: 'master',
      request_id: revokeId,
      action: 'api_key.revoke',
      resource_type: 'api_key',
      resource_id: created.id,
      status_before: 'ACTIVE',
      status_after: 'REVOKED',
      details: { name: 'audited', prefix: created.prefix, scopes: ['read', 'write'] },
    },
    expect.objectContaining({
      actor_type: 'master_key',
      actor_id: 'master',
      request_id: created.requestId,
      action: 'api_key.create',
      status_before: null,
      status_after: 'ACTIVE',
    }),
  ]);
  expect(res.body.data[0].id).toBeGreaterThan(res.body.data[1].id);
  // Neither the key nor its hash is anywhere in the log.
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%' || $1 || '%'`, [
    created.secret.slice(-20),
  ]);
  expect(rows[0].n).toBe(0);
  const hash = await db.pool.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.id]);
  const withHash = await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%' || $1 || '%'`, [
    hash.rows[0].key_hash,
  ]);
  expect(withHash.rows[0].n).toBe(0);
});

test('pages run newest first through opaque cursors, with no entry twice and none missed', async () => {
  const requestId = unique('req-page');
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await createKey(requestId)).id);
  const seen: string[] = [];
  let cursor = '';
  for (let n = 0; n < 3; n++) {
    const res = await logs(`request_id=${requestId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    seen.push(...res.body.data.map((e: { resource_id: string }) => e.resource_id));
    expect(res.body.pagination.has_more).toBe(n < 2);
    cursor = res.body.pagination.next_cursor;
  }
  expect(cursor).toBeNull();
  expect(seen).toEqual([...made].reverse());
});

test('filters by action, actor, resource and time; each narrows to what it names', async () => {
  const requestId = unique('req-filter');
  const a = await createKey(requestId);
  await api.call('DELETE', `/api/v1/auth/api-keys/${a.id}`, { headers: { 'x-request-id': requestId } });
  const actions = async (q: string) => (await logs(`request_id=${requestId}&${q}`)).body.data.map((e: { action: string }) => e.action);
  expect(await actions('')).toEqual(['api_key.revoke', 'api_key.create']);
  expect(await actions('action=api_key.create')).toEqual(['api_key.create']);
  expect(await actions('actor_id=master')).toEqual(['api_key.revoke', 'api_key.create']);
  expect(await actions('actor_id=key_nobody')).toEqual([]);
  expect(await actions('resource_type=order')).toEqual([]);
  expect(await actions(`resource_type=api_key&resource_id=${a.id}`)).toEqual(['api_key.revoke', 'api_key.create']);
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  expect(await actions(`from=${encodeURIComponent(hourAgo)}&to=${encodeURIComponent(inAnHour)}`)).toEqual([
    'api_key.revoke',
    'api_key.create',
  ]);
  expect(await actions(`from=${encodeURIComponent(inAnHour)}`)).toEqual([]);
  expect(await actions(`to=${encodeURIComponent(hourAgo)}`)).toEqual([]);
});

test.each([
  ['action=DROP%20TABLE', 'query.action'],
  ['resource_type=invoice', 'query.resource_type'],
  ['from=yesterday', 'query.from'],
  ['from=2026-02-01&to=2026-01-01', 'query.from'],
  ['limit=101', 'query.limit'],
  ['cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
  ['actor=master', 'query'],
])('a bad filter (%s) answers 400 VALIDATION_ERROR naming %s', async (query, field) => {
  const res = await logs(query);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
});

test('only the support scope reads the log: read, write and the master key get 403 INSUFFICIENT_SCOPE', async () => {
  for (const key of [await api.keyWith('read', 'write'), api.masterKey]) {
    const res = await logs('', key);
    expect([res.status, res.body.error.code, res.body.error.details.required]).toEqual([403, 'INSUFFICIENT_SCOPE', 'support']);
  }
});

test('the database refuses to update, delete or truncate audit entries (append-only), and the entry stays as it was', async () => {
  const { id } = await createKey(unique('req-immutable'));
  const before = await db.pool.query(`SELECT * FROM audit_log WHERE resource_id = $1`, [id]);
  expect(before.rows).toHaveLength(1);
  for (const statement of [
    `UPDATE audit_log SET actor_id = 'someone-else' WHERE resource_id = $1`,
    `DELETE FROM audit_log WHERE resource_id = $1`,
  ]) {
    await expect(db.pool.query(statement, [id])).rejects.toMatchObject({ code: '23001', message: expect.stringContaining('append-only') });
  }
  await expect(db.pool.query(`TRUNCATE audit_log`)).rejects.toMatchObject({ code: '23001' });
  const after = await db.pool.query(`SELECT * FROM audit_log WHERE resource_id = $1`, [id]);
  expect(after.rows).toEqual(before.rows);
});
