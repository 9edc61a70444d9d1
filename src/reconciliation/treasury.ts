import type { Pool } from 'pg';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { getSystemBalances } from '../ledger';
import { formatAmount, parseAmount, parseSignedAmount } from '../money';
import type { AirtmClient } from '../providers/airtm/client';
import type { StellarNetwork } from '../stellar/network';
import { deliveredTopupsTotal, undeliveredTopups } from '../topups/topups-repository';
import { treasuryFloat } from '../treasury/treasury';
import { listUnmatchedInbox } from '../airtm/inbox-repository';
import { sweptPayoutsTotal, unsweptPayouts } from '../withdrawals/sweeps-repository';

/**
 * Where money topped up through Airtm is, and whether the three records agree (docs/airtm.md, "Treasury"):
 * - the ledger: `airtm_clearing` (minus what came in through Airtm, plus what left through it) and the top-ups it
 *   credited;
 * - the treasury on Stellar: its USDC float, which must cover every credited top-up not yet paid into its user's
 *   wallet (until then custody reconciliation shows that user short on chain, and an escrow funded from the balance
 *   would fail), and which every completed Airtm payout refills: its USDC comes back from the user's wallet
 *   (src/withdrawals/payout-sweep.ts; until then the wallet holds more than the ledger and the payout is listed here);
 * - Airtm's enterprise balance (`GET /me/balance`), where the pay-ins landed and from which the treasury is refilled.
 *
 * The rule between them: Airtm and the treasury together hold at least what came in through Airtm and is not in users'
 * wallets: −airtm_clearing (pay-ins credited less payouts completed) − what the treasury delivered into wallets + what
 * wallets returned to it (payout sweeps). Each flow moves both sides alike (a pay-in: Airtm and the ledger; a delivery:
 * the float and what is off chain; a payout: Airtm and the ledger; its sweep: the float and what is off chain; a refill:
 * Airtm to the float), so the surplus is the platform's own money in the two (the opening balances) and stays constant;
 * money leaving either one unbooked lowers it.
 */
export interface TreasuryReport {
  checked_at: string;
  ledger: {
    airtm_clearing: string;
    net_in_through_airtm: string;
    /** What the treasury paid into users' wallets for top-ups, and what wallets returned to it for Airtm payouts. */
    delivered_to_wallets: string;
    returned_from_wallets: string;
    /** net in − delivered + returned: what Airtm and the treasury must hold (negative while payouts wait for their sweep). */
    held_off_chain: string;
  };
  treasury: {
    address: string;
    /** null when the account does not exist yet (no top-up has been delivered). */
    float: string | null;
    /** Credited top-ups whose USDC the treasury has not paid yet. */
    owed_on_chain: string;
    owed_top_ups: number;
    /** Completed Airtm payouts whose USDC is still in the user's wallet (the sweep to the treasury has not landed). */
    owed_by_wallets: string;
    unswept_payouts: number;
    low_float_threshold: string;
    /** ok; low: below the threshold (refill before it blocks); short: less than it owes now (deliveries wait). */
    status: 'ok' | 'low' | 'short';
  };
  /** Airtm's answer, or null when Airtm is not configured or could not be asked (then `problems` says so). */
  airtm: { available: string; pending: string } | null;
  /** Airtm webhooks about nothing we know (kept raw in airtm_webhook_events), newest first: for an operator to look at. */
  unmatched_webhooks: Array<{ svix_id: string; type: string; airtm_id: string | null; code: string | null; received_at: string }>;
  problems: string[];
}

/** How many unmatched webhooks the report lists (newest first). */
const UNMATCHED_SHOWN = 20;

export async function reconcileTreasury(deps: {
  pool: Pool;
  db: Db;
  network: StellarNetwork;
  treasury: string;
  airtm: AirtmClient | null;
  lowFloat: string;
}): Promise<TreasuryReport> {
  const problems: string[] = [];
  const clearing = (await getSystemBalances(deps.pool)).find((b) => b.account === 'airtm_clearing' && b.currency === 'USD')?.balance ?? '0';
  const clearingMinor = parseSignedAmount(clearing);
  const owed = await undeliveredTopups(deps.db);
  const delivered = await deliveredTopupsTotal(deps.db);
  const returned = await sweptPayoutsTotal(deps.db);
  const offChain = -clearingMinor - delivered + returned;
  const float = await treasuryFloat(deps.network, deps.treasury).catch((err: unknown) => {
    throw new AppError('PROVIDER_ERROR', 'Horizon could not be asked for the treasury’s balance', {
      address: deps.treasury,
      cause: (err as Error).message,
    });
  });
  const low = parseAmount(deps.lowFloat, { allowZero: true });
  const have = float ?? 0n;
  const status = have < owed.total ? 'short' : have < low ? 'low' : 'ok';
  if (status === 'short')
    problems.push(
      `treasury_short: the float ${formatAmount(have)} USDC is below the ${formatAmount(owed.total)} that credited top-ups still owe`,
    );
  if (status === 'low')
    problems.push(`treasury_low: the float ${formatAmount(have)} USDC is below ${formatAmount(low)}; refill it from Airtm`);
  const unswept = await unsweptPayouts(deps.db);
  if (unswept.count > 0)
    problems.push(
      `sweeps_pending: ${unswept.count} completed Airtm payout(s) of ${formatAmount(unswept.total)} USDC still in their users' wallets, ` +
        'not yet returned to the treasury (see each withdrawal’s airtm_payout.last_error)',
    );
  let airtm: TreasuryReport['airtm'] = null;
  if (deps.airtm) {
    try {
      const b = await deps.airtm.getBalance();
      airtm = { available: formatAmount(b.available), pending: formatAmount(b.pending) };
      // What came in through Airtm, has not left through it and is not in users' wallets must be at Airtm or in the treasury.
      if (b.available + b.pending + have < offChain)
        problems.push(
          'airtm_below_ledger: Airtm’s balance and the treasury together hold less than the ledger says came in through Airtm ' +
            'and is not in users’ wallets',
        );
    } catch (err) {
      problems.push(`airtm_unreadable: ${(err as Error).message}`);
    }
  }
  const unmatched = (await listUnmatchedInbox(deps.db, { limit: UNMATCHED_SHOWN })).slice(0, UNMATCHED_SHOWN);
  return {
    checked_at: new Date().toISOString(),
    ledger: {
      airtm_clearing: clearing,
      net_in_through_airtm: formatAmount(clearingMinor < 0n ? -clearingMinor : 0n),
      delivered_to_wallets: formatAmount(delivered),
      returned_from_wallets: formatAmount(returned),
      held_off_chain: formatAmount(offChain),
    },
    treasury: {
      address: deps.treasury,
      float: float === null ? null : formatAmount(float),
      owed_on_chain: formatAmount(owed.total),
      owed_top_ups: owed.count,
      owed_by_wallets: formatAmount(unswept.total),
      unswept_payouts: unswept.count,
      low_float_threshold: formatAmount(low),
      status,
    },
    airtm,
    unmatched_webhooks: unmatched.map((e) => ({
      svix_id: e.svixId,
      type: e.type,
      airtm_id: e.airtmId,
      code: e.code,
      received_at: e.receivedAt.toISOString(),
    })),
    problems,
  };
}
