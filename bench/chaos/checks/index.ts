import type { CheckContext, CheckResult } from '../types';
import { checkLedger } from './ledger';
import { checkLifecycles } from './lifecycles';
import { checkPayments } from './payments';
import { checkReconciliations } from './reconciliation';
import { openResources } from './resources';
import { checkResult } from './result';
import { checkWebhooks } from './webhooks';
import { checkOpenWorkflows } from './workflows';

/**
 * Looks at the whole system once the lifecycles are over and the faults have stopped (issue 16 §1): every lifecycle
 * reached its terminal state, the ledger's invariants hold, every reconciliation shows zero drift, no payment was made
 * twice on chain, no event reached the webhook receiver twice or not at all, and no workflow or row is left open that
 * should have ended. A check that cannot run at all fails, saying why.
 */
export async function runChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const results = [checkLifecycles(ctx.results)];
  const r = await openResources(ctx);
  try {
    const { config, database } = r;
    const receiverUrl = ctx.endpoints.webhookReceiverUrl;
    const checks: Array<[string, () => Promise<CheckResult | CheckResult[]>]> = [
      ['ledger', () => checkLedger(database.pool)],
      ['reconciliation', () => checkReconciliations(config, database)],
      ['payments', () => checkPayments(config, database.pool, ctx.endpoints.stellar.horizonUrl)],
      ['webhooks', () => checkWebhooks(ctx.webhookDeliveries, { config, database, receiverUrl, secrets: ctx.webhookSecrets })],
      ['workflows', () => checkOpenWorkflows({ temporal: r.temporal, pool: database.pool, taskQueue: config.TEMPORAL_TASK_QUEUE })],
    ];
    for (const [name, check] of checks) {
      const started = Date.now();
      try {
        results.push(...[await check()].flat());
      } catch (err) {
        results.push(checkResult(name, {}, [`could not check: ${(err as Error | undefined)?.message ?? String(err)}`]));
      }
      ctx.log(`check ${name}: ${Date.now() - started} ms`);
    }
  } finally {
    await r.close();
  }
  return results;
}
