import type { Pool, PoolClient } from 'pg';
import type { Db } from '../db/client';
import { formatAmount } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { platformBumpedPayment } from '../stellar/payment';
import { StellarTransientError, submitOnce } from '../stellar/submitter';
import { findTransaction } from '../stellar/stellar-transactions-repository';
import { ensureTreasury, treasuryFloat, treasuryKeypair } from '../treasury/treasury';
import { findWallet } from '../wallets/wallets-repository';
import { countDeliveryFailure, findTopup, markTopupDelivered, type TopupRow } from './topups-repository';

export interface DeliverDeps {
  db: Db;
  pool: Pool;
  network: StellarNetwork;
}

/**
 * Puts a credited top-up on chain: the treasury pays its amount of USDC into the user's wallet (fee-bumped by the
 * platform), once (`topup:<id>:treasury:<attempt>` through the exactly-once submitter). Until then the user's balance
 * is in the ledger but not in their wallet: custody reconciliation shows it as in transit, and an escrow funded from
 * it would fail on chain, so this runs right after the credit. A float too short for it is a transient fault (retried
 * until an operator refills the treasury); it is checked before anything is signed.
 */
export async function deliverTopup(deps: DeliverDeps, topupId: string): Promise<TopupRow> {
  const row = await findTopup(deps.db, topupId);
  if (!row) throw new Error(`top-up ${topupId} does not exist`);
  if (row.status !== 'TOPUP_SUCCEEDED' || row.deliveredAt) return row;
  const wallet = await findWallet(deps.db, row.userId);
  if (!wallet || wallet.status !== 'ACTIVE') throw new StellarTransientError(`the wallet of ${row.userId} is not active yet`);
  const treasury = treasuryKeypair(deps.network.platform);
  await ensureTreasury(deps.pool, deps.network, treasury);
  const float = (await treasuryFloat(deps.network, treasury.publicKey())) ?? 0n;
  const key = `topup:${row.id}:treasury:${row.deliveryAttempts}`;
  const started = await findStarted(deps, key);
  if (!started && float < row.amount)
    throw new StellarTransientError(
      `treasury float ${formatAmount(float)} USDC is short of top-up ${row.id}'s ${formatAmount(row.amount)}`,
    );
  const outcome = await submitOnce(deps.pool, deps.network, {
    key,
    sourceAccount: treasury.publicKey(),
    build: (source) => platformBumpedPayment(deps.network, source, treasury, { destination: wallet.publicKey, amount: row.amount }),
  });
  if (outcome.status === 'SUCCEEDED') return markTopupDelivered(deps.db, row.id, outcome.hash);
  await countDeliveryFailure(deps.db, row.id, row.deliveryAttempts);
  throw new StellarTransientError(`the treasury's payment for ${row.id} failed: ${JSON.stringify(outcome.codes)}; trying again`);
}

/** Whether an envelope exists for this key already (then it is resubmitted, whatever the float says now). */
async function findStarted(deps: DeliverDeps, key: string): Promise<boolean> {
  // A pool answers a single statement as a client does.
  return (await findTransaction(deps.pool as unknown as PoolClient, key)) !== null;
}
