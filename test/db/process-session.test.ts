import { ProcessSession } from '../../src/db/process-session';
import { testDatabase } from '../helpers/db';

/** The session an API process names in its idempotency claims: alive while the process is, back after a loss. */
const db = testDatabase(1);
afterAll(() => db.close());

const listed = async (pid: number) =>
  Number((await db.pool.query('SELECT count(*) FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].count) === 1;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: not within 6 s`);
}

test('its pid is a live backend; after the connection is killed it reconnects under a new pid; closed, it is gone', async () => {
  const session = new ProcessSession(process.env.DATABASE_URL!);
  await session.start();
  const first = session.pid!;
  expect(typeof first).toBe('number');
  expect(await listed(first)).toBe(true);

  await db.pool.query('SELECT pg_terminate_backend($1)', [first]);
  await until(async () => session.pid !== null && session.pid !== first, 'a new session');
  const second = session.pid!;
  expect(await listed(second)).toBe(true);
  await until(async () => !(await listed(first)), 'the killed backend gone');

  await session.close();
  expect(session.pid).toBeNull();
  await until(async () => !(await listed(second)), 'the closed backend gone');
});
