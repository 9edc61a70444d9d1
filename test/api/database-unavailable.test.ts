import { Client, Pool } from 'pg';
import { toAppError } from '../../api/middleware/errors';
import { freePort } from '../../devstack/net';

/**
 * Found by the chaos run (bench/chaos, postgres.restart): while PostgreSQL restarts, every request that touches it was
 * answered 500 INTERNAL_ERROR, as if the request had found a bug. It is an outage a client may retry through: 503
 * SERVICE_UNAVAILABLE, as when the workflow service cannot be reached. The errors here are the driver's own.
 */
/** The error `p` fails with; a `p` that succeeds fails the test. */
const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

test('a refused connection (PostgreSQL down) is 503 SERVICE_UNAVAILABLE', async () => {
  const pool = new Pool({ connectionString: `postgres://nobody:x@127.0.0.1:${await freePort()}/none`, max: 1 });
  try {
    const err = await failure(pool.query('SELECT 1'));
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(toAppError(err)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  } finally {
    await pool.end();
  }
});

test('a connection the server ends (57P01, as on its shutdown) is 503, also wrapped as drizzle wraps it', async () => {
  const victim = new Client({ connectionString: process.env.DATABASE_URL });
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await Promise.all([victim.connect(), admin.connect()]);
  victim.on('error', () => undefined); // the terminated connection also says so as an event
  try {
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const query = failure(victim.query('SELECT pg_sleep(30)'));
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const err = await query;
    expect((err as { code?: string }).code).toBe('57P01');
    expect(toAppError(err)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    const wrapped = Object.assign(new Error('Failed query: select 1'), { query: 'select 1', params: [], cause: err });
    expect(toAppError(wrapped)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  } finally {
    await Promise.all([victim.end().catch(() => undefined), admin.end()]);
  }
});

test('a statement that fails on a reachable database is still 500 INTERNAL_ERROR', async () => {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const err = await failure(client.query('SELECT 1 / 0'));
    expect((err as { code?: string }).code).toBe('22012');
    expect(toAppError(err)).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
    expect(toAppError(new Error('Connection to the moon lost'))).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
    // Another service unreachable (fetch's error, its cause a refused socket) is not the database.
    const fetched = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(toAppError(fetched)).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
  } finally {
    await client.end();
  }
});
