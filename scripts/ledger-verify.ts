/**
 * `npm run ledger:verify`: checks the ledger's invariants on DATABASE_URL, by default the database of the stack
 * `npm start` runs (see src/ledger/verify.ts). Exit 0 when all hold, 1 listing each breach, 2 when it cannot check at all.
 */
import { NO_STACK_HINT, useLocalStackEnv } from '../devstack/local-env';
import { createDatabase } from '../src/db/client';
import { verifyLedger } from '../src/ledger/verify';

async function main(): Promise<number> {
  useLocalStackEnv();
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(`ledger:verify: DATABASE_URL is required: ${NO_STACK_HINT}`);
    return 2;
  }
  const database = createDatabase(url, 2);
  try {
    const report = await verifyLedger(database.pool);
    const { accounts, entries, postings } = report.counts;
    const scope = `${entries} entries, ${postings} postings, ${accounts} accounts`;
    if (report.ok) {
      console.log(`ledger:verify: OK (${scope})`);
      return 0;
    }
    console.error(`ledger:verify: ${report.breaches.length} breach(es) in ${scope}:`);
    for (const b of report.breaches) console.error(`  [${b.kind}] ${b.message}`);
    return 1;
  } catch (err) {
    console.error(`ledger:verify: could not check the ledger: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  } finally {
    await database.close();
  }
}

void main().then((code) => process.exit(code));
