import type { Pool, PoolClient } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { formatAmount } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { platformBumpedPayment } from '../stellar/payment';
import { findTransaction } from '../stellar/stellar-transactions-repository';
import { StellarTransientError, submitOnce } from '../stellar/submitter';
import { ensureTreasury, treasuryFloat, treasuryKeypair } from '../treasury/treasury';
import { walletKeypair } from '../wallets/wallets';
import { findWallet } from '../wallets/wallets-repository';
import { countSweepFailure, markPayoutSwept, recordSweepError } from './sweeps-repository';
import { findWithdrawal, type WithdrawalRow } from './withdrawals-repository';

export interface SweepDeps {
  db: Db;
  pool: Pool;
  network: StellarNetwork;
  box: SecretBox;
}

/** The business key of a payout's sweep: one signed transaction per attempt that failed on chain before it. */
export const sweepKey = (withdrawalId: string, attempt: number) => `withdrawal:${withdrawalId}:treasury:${attempt}`;

/**
 * Returns a completed Airtm payout's USDC from the user's wallet to the treasury, once. Airtm paid the user out of the
 * platform's enterprise balance, and the ledger spent the hold to `airtm_clearing`; the USDC that backed the balance is
 * still in the wallet, owned by nobody in the books. The wallet pays it to the treasury (fee-bumped by the platform),
 * through the exactly-once submitter under `withdrawal:<id>:treasury:<attempt>`; `treasury_tx_hash` records it. The
 * ledger is unchanged: custody is per user wallet and already excludes the amount; the treasury is the platform's own.
 *
 * Fails closed: a wallet holding less than the amount (checked before anything is signed), an inactive wallet or a
 * Horizon fault is a transient error, kept as the withdrawal's `last_error` and retried; a payment that fails on chain
 * is counted and the next attempt signs a new one. Anything but a completed Airtm payout is answered unchanged.
 */
export async function sweepPayoutToTreasury(deps: SweepDeps, withdrawalId: string): Promise<WithdrawalRow> {
  const w = await findWithdrawal(deps.db, withdrawalId);
  if (!w) throw new Error(`withdrawal ${withdrawalId} does not exist`);
  if (w.destinationType !== 'airtm' || w.status !== 'WITHDRAWAL_COMPLETED' || w.treasuryTxHash) return w;
  try {
    return await sweep(deps, w);
  } catch (err) {
    await recordSweepError(deps.db, w.id, (err as Error).message);
    throw err;
  }
}

async function sweep(deps: SweepDeps, w: WithdrawalRow): Promise<WithdrawalRow> {
  const wallet = await findWallet(deps.db, w.userId);
  if (!wallet || wallet.status !== 'ACTIVE') throw new StellarTransientError(`the wallet of ${w.userId} is not active`);
  const treasury = treasuryKeypair(deps.network.platform);
  await ensureTreasury(deps.pool, deps.network, treasury);
  const key = sweepKey(w.id, w.treasuryAttempts);
  // A pool answers a single statement as a client does. An envelope stored already is resubmitted, whatever the wallet holds now.
  if ((await findTransaction(deps.pool as unknown as PoolClient, key)) === null) {
    const held = (await treasuryFloat(deps.network, wallet.publicKey)) ?? 0n;
    if (held < w.amount)
      throw new StellarTransientError(
        `the wallet ${wallet.publicKey} holds ${formatAmount(held)} USDC, short of payout ${w.id}'s ${formatAmount(w.amount)}`,
      );
  }
  const user = walletKeypair(deps.box, wallet);
  const outcome = await submitOnce(deps.pool, deps.network, {
    key,
    sourceAccount: wallet.publicKey,
    build: (source) => platformBumpedPayment(deps.network, source, user, { destination: treasury.publicKey(), amount: w.amount }),
  });
  if (outcome.status === 'SUCCEEDED') return markPayoutSwept(deps.db, w.id, outcome.hash);
  const message = `the sweep of ${w.id} to the treasury failed on chain: ${JSON.stringify(outcome.codes)}; trying again`;
  await countSweepFailure(deps.db, w.id, w.treasuryAttempts, message);
  throw new StellarTransientError(message);
}
