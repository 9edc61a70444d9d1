/**
 * `npm run reconcile`: compares ledger custody and escrows with on-chain balances, by default those of the stack
 * `npm start` runs; exits 1 when anything drifts, 2 when it cannot check.
 */
import { NO_STACK_HINT, useLocalStackEnv } from '../devstack/local-env';
import { ConfigError, loadConfig } from '../src/config';
import { createDatabase } from '../src/db/client';
import { trustlessWorkFromConfig } from '../src/providers/trustless-work/client';
import { reconcileCustody } from '../src/reconciliation/custody';
import { reconcileEscrows } from '../src/reconciliation/escrows';
import { createStellarNetwork } from '../src/stellar/network';

const stackFound = useLocalStackEnv();

async function main(): Promise<number> {
  const config = loadConfig();
  const database = createDatabase(config.DATABASE_URL, 4);
  try {
    const custody = await reconcileCustody(database.pool, createStellarNetwork(config));
    const tw = trustlessWorkFromConfig(config);
    const escrows = tw ? await reconcileEscrows(database.pool, tw) : null;
    console.log(JSON.stringify({ custody, escrows: escrows ?? 'not checked: TRUSTLESS_WORK_API_KEY is not set' }, null, 2));
    const custodyOk = custody.drifted.length === 0 && custody.totals.drift === '0';
    const escrowsOk =
      !escrows || (escrows.drifted.length === 0 && escrows.totals.drift === '0' && escrows.totals.escrow_buckets === escrows.totals.ledger);
    return custodyOk && escrowsOk ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    if (err instanceof ConfigError && !stackFound) console.error(`reconcile: ${NO_STACK_HINT}`);
    process.exit(2);
  },
);
