import { createDatabase, type Database } from '../../src/db/client';

/** A pool on the run's database (created and migrated by the global set-up). Close it in afterAll. */
export function testDatabase(poolSize = 10): Database {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the suites through jest, whose global set-up provides it');
  return createDatabase(url, poolSize);
}
