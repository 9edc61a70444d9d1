/** Entry point of the migration job (`node dist/bin/migrate.js`): applies every pending migration to DATABASE_URL. */
import { runMigrations } from '../src/db/migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
runMigrations(url).then(
  () => console.log('migrations applied'),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
