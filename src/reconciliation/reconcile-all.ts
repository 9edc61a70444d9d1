import { type Config, providerEnabled } from '../config';
import type { Database } from '../db/client';
import { airtmFromConfig } from '../providers/airtm/client';
import { trustlessWorkFromConfig } from '../providers/trustless-work/client';
import { createStellarNetwork } from '../stellar/network';
import { treasuryAddress } from '../treasury/treasury';
import { type CustodyReport, reconcileCustody } from './custody';
import { type EscrowReport, reconcileEscrows } from './escrows';
import { reconcileTreasury, type TreasuryReport } from './treasury';

/** Every reconciliation `npm run reconcile` runs, each report or why it was not checked, and whether each holds. */
export interface Reconciliations {
  custody: CustodyReport;
  escrows: EscrowReport | { notChecked: string };
  topUps: TreasuryReport | { notChecked: string };
  holds: { custody: boolean; escrows: boolean; topUps: boolean };
}

/**
 * Runs custody, escrows and (when Airtm is a rail) the treasury's reconciliation with the settings `config` gives, and
 * judges each: custody and escrows hold when nothing drifts (and the escrow buckets equal the funded escrows); top-ups
 * hold unless a problem other than a low float is reported (a low float asks an operator to refill, it is not drift).
 */
export async function reconcileAll(config: Config, database: Database): Promise<Reconciliations> {
  const network = createStellarNetwork(config);
  const custody = await reconcileCustody(database.pool, network);
  const tw = trustlessWorkFromConfig(config);
  const escrows = tw ? await reconcileEscrows(database.pool, tw) : { notChecked: 'TRUSTLESS_WORK_API_KEY is not set' };
  // Top-ups are Airtm's: a platform without it (PAYMENT_PROVIDER=crypto) has no treasury to check.
  const airtmEnabled = providerEnabled(config, 'airtm');
  const treasury = airtmEnabled ? (treasuryAddress(network.platform) ?? config.TREASURY_PUBLIC_KEY ?? null) : null;
  const topUps = treasury
    ? await reconcileTreasury({
        pool: database.pool,
        db: database.db,
        network,
        treasury,
        airtm: airtmFromConfig(config),
        lowFloat: config.TREASURY_LOW_FLOAT,
      })
    : {
        notChecked: airtmEnabled
          ? 'neither PLATFORM_SECRET (from which the treasury key is derived) nor TREASURY_PUBLIC_KEY is set'
          : 'PAYMENT_PROVIDER leaves Airtm out',
      };
  return {
    custody,
    escrows,
    topUps,
    holds: {
      custody: custody.drifted.length === 0 && custody.totals.drift === '0',
      escrows:
        'notChecked' in escrows ||
        (escrows.drifted.length === 0 && escrows.totals.drift === '0' && escrows.totals.escrow_buckets === escrows.totals.ledger),
      topUps: 'notChecked' in topUps || topUps.problems.every(isOnlyAdvice),
    },
  };
}

/** A treasury problem that asks an operator to act without being drift: the float is low, not short. */
export const isOnlyAdvice = (problem: string): boolean => problem.startsWith('treasury_low');
