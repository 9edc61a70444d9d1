import { WorkflowNotFoundError } from '@temporalio/client';
import { isId } from '../../src/ids';
import type { AirtmWebhookEvent } from '../../src/providers/airtm/webhooks';
import { findTopup } from '../../src/topups/topups-repository';
import { topupWorkflowId } from '../../workflows/ids';
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

export const AIRTM_EVENT_ROUTES: Readonly<Record<string, AirtmEventRoute>> = {
  payin: payinRoute,
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
