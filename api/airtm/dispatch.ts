import { WorkflowNotFoundError } from '@temporalio/client';
import { isId } from '../../src/ids';
import type { AirtmWebhookEvent } from '../../src/providers/airtm/webhooks';
import { findTopup } from '../../src/topups/topups-repository';
import { withdrawalIdOfPayoutEvent } from '../../src/withdrawals/payout-events';
import { findWithdrawal } from '../../src/withdrawals/withdrawals-repository';
import { airtmPayoutWorkflowId, topupWorkflowId } from '../../workflows/ids';
import { airtmPayoutEvent } from '../../workflows/messages/airtm-payout';
import { payinEvent } from '../../workflows/messages/topup';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';

/**
 * Where a verified Airtm webhook goes, by event family (`payin` of `payin.confirmed`, …): the workflow it belongs to,
 * and how it is told. A family missing here, or an event whose resource we do not know, is kept in the inbox
 * unsignalled, for reconciliation. Adding a family is one line in AIRTM_EVENT_ROUTES.
 */
export interface AirtmEventRoute {
  /** The id of the workflow this event is about, or null when it names nothing we know. */
  target(deps: ApiDeps, data: AirtmResourceRef): Promise<string | null>;
  /** Tells that workflow (a signal); a workflow that has already ended needs nothing more. */
  signal(deps: ApiDeps, workflowId: string, event: AirtmWebhookEvent): Promise<void>;
}

/** What every pay-in and payout body names: Airtm's id and our `code` (PayinResponse, PayoutResponse). */
export interface AirtmResourceRef {
  id?: unknown;
  code?: unknown;
  status?: unknown;
  failureReason?: unknown;
  airtmUserEmail?: unknown;
}

/** Pay-ins are top-ups: the pay-in's `code` is the top-up id (src/topups/payins.ts), and its Airtm id must match. */
const payinRoute: AirtmEventRoute = {
  async target(deps, data) {
    if (typeof data.code !== 'string' || !isId('topup', data.code)) return null;
    const row = await findTopup(deps.database.db, data.code);
    if (!row || (row.payinId !== null && row.payinId !== data.id)) return null;
    return topupWorkflowId(row.id);
  },
  async signal(deps, workflowId, event) {
    const data = event.data as AirtmResourceRef;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    await signalUnlessEnded(deps, (client) =>
      client.workflow.getHandle(workflowId).signal(payinEvent, {
        svixId: event.svixId,
        type: event.type,
        status: text(data.status) ?? '',
        failureReason: text(data.failureReason),
        payerEmail: text(data.airtmUserEmail),
      }),
    );
  },
};

/**
 * Payouts are Airtm withdrawals: the payout's `code` is the withdrawal id (src/withdrawals/payout-events.ts), and the
 * withdrawal must be one paid through Airtm. The workflow asks Airtm for the payout at once (the event is a wake-up,
 * not the outcome: what Airtm answers then is what counts).
 */
const payoutRoute: AirtmEventRoute = {
  async target(deps, data) {
    const withdrawalId = withdrawalIdOfPayoutEvent(data);
    if (!withdrawalId) return null;
    const row = await findWithdrawal(deps.database.db, withdrawalId);
    if (!row || row.destinationType !== 'airtm') return null;
    return airtmPayoutWorkflowId(row.id);
  },
  async signal(deps, workflowId, event) {
    await signalUnlessEnded(deps, (client) =>
      client.workflow.getHandle(workflowId).signal(airtmPayoutEvent, { type: event.type, data: event.data, svixId: event.svixId }),
    );
  },
};

export const AIRTM_EVENT_ROUTES: Readonly<Record<string, AirtmEventRoute>> = {
  payin: payinRoute,
  payout: payoutRoute,
};

/** The route of an event's family (`payin.confirmed` → payin), or null. */
export function routeOf(type: string): AirtmEventRoute | null {
  return AIRTM_EVENT_ROUTES[type.split('.')[0]] ?? null;
}

/** Sends a signal; a workflow that has ended (its outcome is final) has nothing left to hear. */
export async function signalUnlessEnded(deps: ApiDeps, send: Parameters<typeof callWorkflow<void>>[1]): Promise<void> {
  try {
    await callWorkflow(deps, send);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
