import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../devstack/net';
import { ROOT } from '../../devstack/paths';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '../../devstack/postgres';

/**
 * A fresh database for a bench: on DATABASE_URL's server when set (a scratch database, dropped afterwards), otherwise
 * in a new embedded PostgreSQL cluster under `runDir` (stopped afterwards). Each undo step is pushed onto `cleanup`.
 * `postmasterPid` lets a bench count PostgreSQL's CPU (embedded only).
 */
export async function prepareBenchDatabase(opts: {
  name: string;
  runDir: string;
  cleanup: Array<() => Promise<void>>;
  log: (line: string) => void;
}): Promise<{ url: string; postmasterPid: number | null }> {
  const { name, runDir, cleanup, log } = opts;
  let adminUrl: string;
  let url: string;
  let postmasterPid: number | null = null;
  const external = process.env.DATABASE_URL;
  if (external) {
    const admin = new URL(external);
    admin.pathname = '/postgres';
    adminUrl = admin.toString();
    const u = new URL(external);
    u.pathname = `/${name}`;
    url = u.toString();
    log(`PostgreSQL: ${admin.host} (DATABASE_URL), scratch database ${name}`);
  } else {
    const dataDir = path.join(runDir, 'postgres');
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: crypto.randomBytes(12).toString('hex') });
    cleanup.push(() => pg.stop());
    postmasterPid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    adminUrl = pg.adminUrl;
    url = pg.urlFor(name);
    log(`PostgreSQL: embedded, a fresh cluster in ${path.relative(ROOT, dataDir)} (removed afterwards)`);
  }
  await ensureDatabase(adminUrl, name);
  cleanup.push(() => dropDatabase(adminUrl, name));
  return { url, postmasterPid };
}
