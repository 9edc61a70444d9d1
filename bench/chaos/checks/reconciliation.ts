import type { Config } from '../../../src/config';
import type { Database } from '../../../src/db/client';
import { parseSignedAmount } from '../../../src/money';
import { isOnlyAdvice, reconcileAll } from '../../../src/reconciliation/reconcile-all';
import type { CheckResult } from '../types';
import { checkResult } from './result';

const minor = (amount: string | null) => parseSignedAmount(amount ?? '0').toString();

/**
 * What `npm run reconcile` runs (src/reconciliation/reconcile-all.ts), one result per reconciliation, with the same
 * judgement (each result fails exactly when its `holds` is false: drifted lines, a total drift, escrow buckets apart
 * from the funded escrows, a top-ups problem other than a low float), each breach named. Figures are minor units (7 dp). Custody and escrows must show zero drift; Airtm and the treasury keep
 * issue 14's rule (the refill is an operator's step, so their balances only have to cover what came in).
 */
export async function checkReconciliations(config: Config, database: Database): Promise<CheckResult[]> {
  const { custody, escrows, topUps } = await reconcileAll(config, database);
  const results: CheckResult[] = [
    checkResult(
      'reconciliation.custody',
      {
        wallets: custody.users,
        ledger: minor(custody.totals.ledger),
        on_chain: minor(custody.totals.on_chain),
        drift: minor(custody.totals.drift),
      },
      [
        ...custody.drifted.map(
          (l) => `wallet of ${l.user_id} (${l.address}): ledger ${l.ledger}, on chain ${l.on_chain ?? 'no account'}, drift ${l.drift}`,
        ),
        ...(custody.totals.drift === '0' ? [] : [`custody drifts by ${custody.totals.drift} in total`]),
      ],
    ),
  ];
  if ('notChecked' in escrows) results.push(checkResult('reconciliation.escrows', { not_checked: escrows.notChecked }, []));
  else {
    const bucketsDrift = parseSignedAmount(escrows.totals.escrow_buckets) - parseSignedAmount(escrows.totals.ledger);
    results.push(
      checkResult(
        'reconciliation.escrows',
        {
          escrows: escrows.escrows,
          ledger: minor(escrows.totals.ledger),
          on_chain: minor(escrows.totals.on_chain),
          drift: minor(escrows.totals.drift),
          escrow_buckets_drift: bucketsDrift.toString(),
        },
        [
          ...escrows.drifted.map(
            (l) => `escrow of ${l.order_id} (${l.contract_id}): ledger ${l.ledger}, on chain ${l.on_chain ?? 'unknown'}, drift ${l.drift}`,
          ),
          ...(escrows.totals.drift === '0' ? [] : [`escrows drift by ${escrows.totals.drift} in total`]),
          ...(bucketsDrift === 0n
            ? []
            : [`the users' escrow buckets hold ${escrows.totals.escrow_buckets}, the funded escrows ${escrows.totals.ledger}`]),
        ],
      ),
    );
  }
  if ('notChecked' in topUps) {
    results.push(checkResult('reconciliation.airtm', { not_checked: topUps.notChecked }, []));
    results.push(checkResult('reconciliation.treasury', { not_checked: topUps.notChecked }, []));
    return results;
  }
  const drift = topUps.problems.filter((p) => !isOnlyAdvice(p));
  const airtmProblems = drift.filter((p) => p.startsWith('airtm_'));
  const netIn = parseSignedAmount(topUps.ledger.net_in_through_airtm);
  const offChain = parseSignedAmount(topUps.ledger.held_off_chain);
  const float = parseSignedAmount(topUps.treasury.float ?? '0');
  const airtmHolds = topUps.airtm ? parseSignedAmount(topUps.airtm.available) + parseSignedAmount(topUps.airtm.pending) : null;
  results.push(
    checkResult(
      'reconciliation.airtm',
      {
        airtm_available: minor(topUps.airtm?.available ?? null),
        airtm_pending: minor(topUps.airtm?.pending ?? null),
        net_in_through_airtm: netIn.toString(),
        delivered_to_wallets: minor(topUps.ledger.delivered_to_wallets),
        returned_from_wallets: minor(topUps.ledger.returned_from_wallets),
        treasury_float: float.toString(),
        // Airtm + treasury − what came in and is not in wallets: never negative; the platform's own money in the two.
        surplus: airtmHolds === null ? 'airtm not configured' : (airtmHolds + float - offChain).toString(),
        unmatched_webhooks: topUps.unmatched_webhooks.length,
      },
      airtmProblems,
    ),
  );
  results.push(
    checkResult(
      'reconciliation.treasury',
      {
        float: float.toString(),
        owed_on_chain: minor(topUps.treasury.owed_on_chain),
        owed_top_ups: topUps.treasury.owed_top_ups,
        owed_by_wallets: minor(topUps.treasury.owed_by_wallets),
        unswept_payouts: topUps.treasury.unswept_payouts,
        status: topUps.treasury.status,
      },
      drift.filter((p) => !p.startsWith('airtm_')),
    ),
  );
  return results;
}
