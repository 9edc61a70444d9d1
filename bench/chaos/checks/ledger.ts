import type { Pool } from 'pg';
import { verifyLedger } from '../../../src/ledger/verify';
import type { CheckResult } from '../types';
import { checkResult, countBy } from './result';

/** What `npm run ledger:verify` checks (src/ledger/verify.ts). Figures: entries, postings, accounts, breaches by kind. */
export async function checkLedger(pool: Pool): Promise<CheckResult> {
  const report = await verifyLedger(pool);
  const figures: CheckResult['figures'] = { ...report.counts };
  for (const [kind, n] of countBy(report.breaches, (b) => b.kind)) figures[kind] = n;
  return checkResult(
    'ledger',
    figures,
    report.breaches.map((b) => `[${b.kind}] ${b.message}`),
  );
}
