import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { TERMINAL as ORDER_TERMINAL } from '../../../src/orders/order-state';
import { TERMINAL as ONRAMP_TERMINAL } from '../../../src/onramp/onramp-state';
import { FINAL_TOPUP_STATUSES } from '../../../src/topups/topup-state';
import { withdrawalStatuses } from '../../../src/db/schema';
import { isFinalWithdrawal } from '../../../src/withdrawals/withdrawals-repository';
import { webhookWorkflowId } from '../../../src/webhooks/webhook-ids';
import { depositWatcherId } from '../../../workflows/ids';
import type { CheckResult } from '../types';
import { endpointsOn, rowsNotIn } from './checks-repository';
import { checkResult, countBy } from './result';

/**
 * The workflows that may still run once every lifecycle has ended, each with why and which of its ids; any other open
 * workflow on the task queue (order, withdrawal, airtmPayout, topup, onrampOrder, onrampMerchantActivation,
 * walletActivation, webhookRedelivery) should have ended.
 */
export const LONG_RUNNING: Record<
  string,
  { reason: string; mayRun: (id: string, at: { taskQueue: string; activeEndpoints: Set<string> }) => boolean }
> = {
  depositWatcher: {
    reason: 'the one deposit watcher (deposit-watcher-<task queue>) scans Horizon for as long as the worker runs',
    mayRun: (id, at) => id === depositWatcherId(at.taskQueue),
  },
  webhookDelivery: {
    reason: 'one per active webhook endpoint (webhook-<endpoint id>): it waits for the next event until the endpoint is disabled',
    mayRun: (id, at) => at.activeEndpoints.has(id),
  },
};

/** The rows that have a final status, and which statuses those are. */
const FINAL_ROWS = [
  ['orders', ORDER_TERMINAL],
  ['topups', FINAL_TOPUP_STATUSES],
  ['withdrawals', withdrawalStatuses.filter(isFinalWithdrawal)],
  ['onramp_orders', [...ONRAMP_TERMINAL]],
  ['wallets', ['ACTIVE', 'FAILED']],
  ['onramp_merchants', ['ACTIVE']],
] as const;

/**
 * No workflow is left open that should have ended, and no order, top-up, withdrawal, on-ramp order, wallet or merchant
 * is left in a status that is not final. Figures: open workflows by type, failed and timed-out ones (reported, not
 * breaches: each lifecycle's own state says whether it ended well), rows left open by table.
 */
export async function checkOpenWorkflows(deps: WorkflowDeps): Promise<CheckResult> {
  const { figures, breaches } = await unfinished(deps);
  for (const status of ['Failed', 'TimedOut'])
    figures[`closed.${status}`] = (
      await deps.temporal.workflow.count(`TaskQueue = '${deps.taskQueue}' AND ExecutionStatus = '${status}'`)
    ).count;
  return checkResult('workflows', figures, breaches);
}

export interface WorkflowDeps {
  temporal: Client;
  pool: Pool;
  taskQueue: string;
}

/** The workflows still running that should have ended, and the rows left in a status that is not final. */
export async function unfinished(deps: WorkflowDeps): Promise<{ figures: CheckResult['figures']; breaches: string[] }> {
  const open: Array<{ id: string; type: string }> = [];
  const query = `TaskQueue = '${deps.taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const wf of deps.temporal.workflow.list({ query })) open.push({ id: wf.workflowId, type: wf.type });
  const activeEndpoints = new Set(
    (await endpointsOn(deps.pool, '')).filter((e) => e.status === 'active').map((e) => webhookWorkflowId(e.id)),
  );
  const allowed = (wf: { id: string; type: string }) =>
    LONG_RUNNING[wf.type]?.mayRun(wf.id, { taskQueue: deps.taskQueue, activeEndpoints }) ?? false;
  const breaches = open.filter((wf) => !allowed(wf)).map((wf) => `workflow ${wf.id} (${wf.type}) is still running`);
  const figures: CheckResult['figures'] = { open_workflows: open.length, should_have_ended: breaches.length };
  for (const [type, n] of countBy(open, (wf) => wf.type)) figures[`open.${type}`] = n;
  for (const [table, final] of FINAL_ROWS) {
    const left = await rowsNotIn(deps.pool, table, final);
    figures[`unfinished.${table}`] = left.count;
    for (const r of left.rows) breaches.push(`${table} ${r.id} is left ${r.status}`);
    if (left.count > left.rows.length) breaches.push(`… and ${left.count - left.rows.length} more ${table}`);
  }
  return { figures, breaches };
}
