import { Client } from 'pg';
import { purgeExpired } from '../../src/idempotency-repository';
import { testDatabase } from '../helpers/db';
import { startTestApi, type TestApi, unique } from '../helpers/app';

let api: TestApi;
let writer: string;
const db = testDatabase(2);
beforeAll(async () => {
  api = await startTestApi();
  writer = await api.keyWith('read', 'write');
});
afterAll(async () => {
  await api.close();
  await db.close();
});

const countUsers = async (externalId: string) =>
  Number((await db.pool.query('SELECT count(*) FROM users WHERE external_user_id = $1', [externalId])).rows[0].count);
const createUser = (key: string, idem: string, body: object) =>
  api.call('POST', '/api/v1/users', { key, body, headers: { 'idempotency-key': idem } });

test('the same key with the same body replays the stored response byte for byte and creates nothing more', async () => {
  const ext = unique('idem');
  const idem = unique('key');
  const first = await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' });
  expect(first.status).toBe(201);
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  expect(first.headers.get('x-idempotency-key')).toBe(idem);
  const second = await createUser(writer, idem, { type: 'BUYER', external_user_id: ext }); // same body, other key order
  expect(second.status).toBe(201);
  expect(second.text).toBe(first.text);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(await countUsers(ext)).toBe(1);
});

test('the same key with a different body answers 409 IDEMPOTENCY_KEY_REUSED and creates nothing', async () => {
  const idem = unique('key');
  const ext = unique('idem');
  expect((await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' })).status).toBe(201);
  const other = unique('idem');
  const res = await createUser(writer, idem, { external_user_id: other, type: 'BUYER' });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await countUsers(other)).toBe(0);
});

test('20 concurrent requests with one key: exactly one runs, the rest replay it or answer 409 IDEMPOTENCY_KEY_IN_PROGRESS', async () => {
  const idem = unique('key');
  const ext = unique('idem');
  const results = await Promise.all(Array.from({ length: 20 }, () => createUser(writer, idem, { external_user_id: ext, type: 'SELLER' })));
  const fresh = results.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
  const replays = results.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true');
  const inProgress = results.filter((r) => r.status === 409 && r.body.error.code === 'IDEMPOTENCY_KEY_IN_PROGRESS');
  expect(fresh).toHaveLength(1);
  expect(replays.length + inProgress.length).toBe(19);
  for (const r of replays) expect(r.text).toBe(fresh[0].text);
  expect(await countUsers(ext)).toBe(1);
});

test('keys are scoped per API key: two API keys using the same Idempotency-Key each run their request', async () => {
  const otherWriter = await api.keyWith('write');
  const idem = unique('key');
  const a = unique('idem');
  const b = unique('idem');
  expect((await createUser(writer, idem, { external_user_id: a, type: 'BUYER' })).status).toBe(201);
  const res = await createUser(otherWriter, idem, { external_user_id: b, type: 'BUYER' });
  expect(res.status).toBe(201);
  expect(res.headers.get('idempotent-replayed')).toBeNull();
  expect(await countUsers(b)).toBe(1);
});

test('a refusal is the outcome too: a replayed 409 USER_ALREADY_EXISTS is the stored one', async () => {
  const ext = unique('idem');
  expect((await createUser(writer, unique('key'), { external_user_id: ext, type: 'BUYER' })).status).toBe(201);
  const idem = unique('key');
  const first = await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' });
  expect(first.status).toBe(409);
  expect(first.body.error.code).toBe('USER_ALREADY_EXISTS');
  const again = await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' });
  expect(again.text).toBe(first.text);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
});

test('a key longer than 255 characters answers 400 VALIDATION_ERROR and changes nothing', async () => {
  const ext = unique('idem');
  const res = await createUser(writer, 'k'.repeat(256), { external_user_id: ext, type: 'BUYER' });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.fields[0].field).toBe('headers.idempotency-key');
  expect(await countUsers(ext)).toBe(0);
  expect((await createUser(writer, 'k'.repeat(255), { external_user_id: ext, type: 'BUYER' })).status).toBe(201);
});

test('an invalid request stores nothing under its key, so a corrected retry with the same key runs', async () => {
  const idem = unique('key');
  const bad = await createUser(writer, idem, { external_user_id: unique('idem'), type: 'NOBODY' });
  expect(bad.status).toBe(400);
  const ext = unique('idem');
  const good = await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' });
  expect(good.status).toBe(201);
  expect(await countUsers(ext)).toBe(1);
});

test('expired outcomes are purged, after which the key may run a new request', async () => {
  const idem = unique('key');
  expect((await createUser(writer, idem, { external_user_id: unique('idem'), type: 'BUYER' })).status).toBe(201);
  await db.pool.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [idem]);
  expect(await purgeExpired(db.pool)).toBeGreaterThanOrEqual(1);
  expect((await db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [idem])).rowCount).toBe(0);
  const ext = unique('idem');
  const res = await createUser(writer, idem, { external_user_id: ext, type: 'BUYER' });
  expect(res.status).toBe(201);
  expect(res.headers.get('idempotent-replayed')).toBeNull();
});

test('user creation keeps outcomes for 7 days', async () => {
  const idem = unique('key');
  await createUser(writer, idem, { external_user_id: unique('idem'), type: 'BUYER' });
  const { rows } = await db.pool.query(
    `SELECT extract(epoch FROM expires_at - created_at)::int AS secs FROM idempotency_keys WHERE key = $1`,
    [idem],
  );
  expect(Math.round(rows[0].secs / 3600)).toBe(7 * 24);
});

test('a replayed API-key creation returns the same key, which rests sealed, never in plaintext', async () => {
  const idem = unique('key');
  const first = await api.call('POST', '/api/v1/auth/api-keys', {
    body: { name: 'sealed', scopes: ['read'] },
    headers: { 'idempotency-key': idem },
  });
  const again = await api.call('POST', '/api/v1/auth/api-keys', {
    body: { name: 'sealed', scopes: ['read'] },
    headers: { 'idempotency-key': idem },
  });
  expect(first.status).toBe(201);
  expect(again.text).toBe(first.text);
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const stored = await client.query('SELECT response_body FROM idempotency_keys WHERE key = $1', [idem]);
  const everywhere = await client.query(`SELECT count(*)::int AS n FROM api_keys WHERE key_hash = $1 OR prefix = $1`, [
    first.body.data.key,
  ]);
  await client.end();
  // Sealed under IDEMPOTENCY_SEALING_KEYS (the run's key id `test1`), not under a key derived from the master key.
  expect(stored.rows[0].response_body).toMatch(/^v1\.test1\./);
  expect(stored.rows[0].response_body).not.toContain(first.body.data.key);
  expect(everywhere.rows[0].n).toBe(0);
});

test('after the master key is rotated, a replayed API-key creation still answers the same sealed key', async () => {
  const idem = unique('key');
  const request = { body: { name: 'rotation', scopes: ['read'] }, headers: { 'idempotency-key': idem } };
  const first = await api.call('POST', '/api/v1/auth/api-keys', request);
  expect(first.status).toBe(201);
  const rotated = await startTestApi({ OFFERHUB_MASTER_KEY: `rotated-master-${'r'.repeat(32)}` });
  try {
    const again = await rotated.call('POST', '/api/v1/auth/api-keys', request);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.key).toBe(first.body.data.key);
  } finally {
    await rotated.close();
  }
});

/** A session of its own, as an API process holds (src/db/process-session.ts): its pid, and a way to end it. */
async function session(): Promise<{ pid: number; end(): Promise<void> }> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const pid: number = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return {
    pid,
    async end() {
      await client.end();
      // The backend leaves pg_stat_activity a moment after the client hangs up.
      for (let i = 0; i < 200; i++) {
        if (Number((await db.pool.query('SELECT count(*) FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].count) === 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`backend ${pid} still listed`);
    },
  };
}

test('a claim left in progress by an API process that died is taken over at once; one whose process lives is not', async () => {
  const ext = unique('idem');
  const idem = unique('key');
  const body = { external_user_id: ext, type: 'BUYER' };
  expect((await createUser(writer, idem, body)).status).toBe(201);
  // As if the request were still running in another API process (the user it created stays: a rerun meets it).
  const inProgress = (ownerPid: number | null, lockedAgo = '0 seconds') =>
    db.pool.query(
      `UPDATE idempotency_keys SET state = 'in_progress', response_status = NULL, response_body = NULL,
         locked_at = now() - $3::interval, owner_pid = $2 WHERE key = $1`,
      [idem, ownerPid, lockedAgo],
    );
  const again = async () => {
    const res = await createUser(writer, idem, body);
    return [res.status, res.body.error?.code];
  };
  const live = await session();
  const dead = await session();
  await dead.end();
  try {
    await inProgress(live.pid);
    expect(await again()).toEqual([409, 'IDEMPOTENCY_KEY_IN_PROGRESS']);
    // A claim naming no session (made while the process had none) waits out its time limit.
    await inProgress(null);
    expect(await again()).toEqual([409, 'IDEMPOTENCY_KEY_IN_PROGRESS']);
    await inProgress(null, '121 seconds');
    expect(await again()).toEqual([409, 'USER_ALREADY_EXISTS']);
    // The owner's session is gone: the same request runs again at once (and meets the user its first run created).
    await inProgress(dead.pid);
    expect(await again()).toEqual([409, 'USER_ALREADY_EXISTS']);
    const row = (await db.pool.query('SELECT state, owner_pid FROM idempotency_keys WHERE key = $1', [idem])).rows[0];
    expect(row.state).toBe('completed');
    expect([dead.pid, live.pid, null]).not.toContain(row.owner_pid);
    expect(await countUsers(ext)).toBe(1);
  } finally {
    await live.end();
  }
});
