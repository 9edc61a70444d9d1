import { ensureDatabase } from '../../devstack/postgres';
import { runMigrations } from '../../src/db/migrate';
import { createDatabase, type Database } from '../../src/db/client';

/** A pool on the run's database (created and migrated by the global set-up). Close it in afterAll. */
export function testDatabase(poolSize = 10): Database {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the suites through jest, whose global set-up provides it');
  return createDatabase(url, poolSize);
}

/** A database of its own on the run's server, migrated: for suites whose checks span a whole table (budgets, re-seals). */
export async function isolatedDatabaseUrl(suffix: string): Promise<string> {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `${url.pathname.slice(1)}_${suffix}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await ensureDatabase(admin.toString(), name);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}
