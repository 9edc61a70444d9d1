/** `npm run reconcile`: compares ledger custody with on-chain balances; exits 1 when anything drifts. */
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/client';
import { reconcileCustody } from '../src/reconciliation/custody';
import { createStellarNetwork } from '../src/stellar/network';

async function main(): Promise<number> {
  const config = loadConfig();
  const database = createDatabase(config.DATABASE_URL, 4);
  try {
    const report = await reconcileCustody(database.pool, createStellarNetwork(config));
    console.log(JSON.stringify(report, null, 2));
    return report.drifted.length === 0 && report.totals.drift === '0' ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
