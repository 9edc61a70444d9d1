import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../src/db/migrate';

/**
 * drizzle's migrator (drizzle-orm/pg-core dialect `migrate`) applies a migration only when its journal `when` is later
 * than the `created_at` of the last one the database applied. A `when` earlier than a predecessor's is skipped for good
 * on a database that already has the predecessor: every `when` must grow with `idx`, and every entry have its file.
 */
const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
  entries: Array<{ idx: number; when: number; tag: string }>;
};

test('the journal lists the migrations in order, each later than the one before, each with its SQL file', () => {
  const entries = journal.entries;
  expect(entries.map((e) => e.idx)).toEqual(entries.map((_, i) => i));
  for (let i = 1; i < entries.length; i++) expect([entries[i].tag, entries[i].when > entries[i - 1].when]).toEqual([entries[i].tag, true]);
  const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'));
  expect(files.sort()).toEqual(entries.map((e) => `${e.tag}.sql`));
});
