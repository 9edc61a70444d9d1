/**
 * `npm run reconcile`: compares ledger custody and escrows with on-chain balances, by default those of the stack
 * `npm start` runs; exits 1 when anything drifts, 2 when it cannot check.
 */
import { NO_STACK_HINT, useLocalStackEnv } from '../devstack/local-env';
import { ConfigError, loadConfig, providerEnabled } from '../src/config';
import { createDatabase } from '../src/db/client';
import { trustlessWorkFromConfig } from '../src/providers/trustless-work/client';
import { reconcileCustody } from '../src/reconciliation/custody';
import { reconcileEscrows } from '../src/reconciliation/escrows';
import { createStellarNetwork } from '../src/stellar/network';
import { airtmFromConfig } from '../src/providers/airtm/client';
import { reconcileTreasury } from '../src/reconciliation/treasury';
import { treasuryAddress } from '../src/treasury/treasury';

const stackFound = useLocalStackEnv();

async function main(): Promise<number> {
  const config = loadConfig();
  const database = createDatabase(config.DATABASE_URL, 4);
  try {
    const network = createStellarNetwork(config);
    const custody = await reconcileCustody(database.pool, network);
    const tw = trustlessWorkFromConfig(config);
    const escrows = tw ? await reconcileEscrows(database.pool, tw) : null;
    // Top-ups are Airtm's: a platform without it (PAYMENT_PROVIDER=crypto) has no treasury to check.
    const airtmEnabled = providerEnabled(config, 'airtm');
    const treasury = airtmEnabled ? treasuryAddress(network.platform) : null;
    const topUps = treasury
      ? await reconcileTreasury({
          pool: database.pool,
          db: database.db,
          network,
          treasury,
          airtm: airtmFromConfig(config),
          lowFloat: config.TREASURY_LOW_FLOAT,
        })
      : null;
    console.log(
      JSON.stringify(
        {
          custody,
          escrows: escrows ?? 'not checked: TRUSTLESS_WORK_API_KEY is not set',
          top_ups:
            topUps ??
            (airtmEnabled
              ? 'not checked: PLATFORM_SECRET (from which the treasury key is derived) is not set'
              : 'not checked: PAYMENT_PROVIDER leaves Airtm out'),
        },
        null,
        2,
      ),
    );
    // A low float is reported (refill it) without failing; a short one, or Airtm holding less than came in, is drift.
    if (topUps?.treasury.status === 'low') console.error(`reconcile: ${topUps.problems.join('; ')}`);
    const topUpsOk = !topUps || topUps.problems.every((p) => p.startsWith('treasury_low'));
    const custodyOk = custody.drifted.length === 0 && custody.totals.drift === '0';
    const escrowsOk =
      !escrows || (escrows.drifted.length === 0 && escrows.totals.drift === '0' && escrows.totals.escrow_buckets === escrows.totals.ledger);
    return custodyOk && escrowsOk && topUpsOk ? 0 : 1;
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
