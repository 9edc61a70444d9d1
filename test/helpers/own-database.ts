import crypto from 'node:crypto';
import { createDatabase, type Database } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { dropDatabase, ensureDatabase } from '../../devstack/postgres';

export interface OwnDatabase {
  url: string;
  database: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A migrated database of the caller's own on the run's server, for tests that corrupt a ledger or must see nothing
 * but what they wrote: the run's shared database is used by other suites at the same time.
 */
export async function ownDatabase(label: string, poolSize = 4): Promise<OwnDatabase> {
  const shared = new URL(process.env.DATABASE_URL!);
  const name = `${shared.pathname.slice(1)}_${label}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new URL(shared);
  admin.pathname = '/postgres';
  await ensureDatabase(admin.toString(), name);
  const own = new URL(shared);
  own.pathname = `/${name}`;
  const url = own.toString();
  await runMigrations(url);
  const database = createDatabase(url, poolSize);
  return {
    url,
    database,
    async drop() {
      await database.close();
      await dropDatabase(admin.toString(), name);
    },
  };
}
