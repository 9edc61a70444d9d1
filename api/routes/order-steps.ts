import type { Request } from 'express';
import type { WorkflowHandle, WorkflowUpdateHandle } from '@temporalio/client';
import { findOrder, type OrderRow } from '../../src/orders/orders-repository';
import { IN_FLIGHT, type OrderStatus } from '../../src/orders/order-state';
import type { ApiDeps } from '../context';
import type { IdempotentRequest } from '../../src/idempotency';
import { waitForWorkflow } from '../temporal-calls';
import { requireOrder, runOrderUpdate } from './order-views';

/**
 * Steps that run on chain or at Trustless Work (create the escrow, fund, release, refund, resolve) answer as soon as
 * the order's workflow has accepted them: `202 Accepted` with the order in its in-flight status. The outcome shows on
 * `GET /orders/{id}`, in `last_error` when it failed, and as an event. A client that wants the old behaviour asks
 * for it with `Prefer: wait=<seconds>` (RFC 7240): the answer is then the final state (200) or the step's refusal,
 * or 202 when the wait ran out; a step that is merely slow is never a 504.
 */

/** The longest `Prefer: wait` honoured, in seconds. */
export const MAX_PREFERRED_WAIT_S = 60;

/** `Prefer: wait=<seconds>` (RFC 7240 §4.3), capped at MAX_PREFERRED_WAIT_S; null without one. */
export function preferredWait(req: Request): number | null {
  const header = req.headers.prefer;
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(text);
  return match ? Math.min(Number(match[1]), MAX_PREFERRED_WAIT_S) : null;
}

export interface StepAnswer {
  status: 200 | 202;
  row: OrderRow;
}

/**
 * Sends a step as an update that answers once accepted (`start`), then waits for its outcome as long as the client
 * prefers. A refusal at acceptance (INVALID_STATE, VALIDATION_ERROR, …) or within the wait is thrown as before.
 */
export async function runOrderStep(
  deps: ApiDeps,
  order: OrderRow | string,
  command: Parameters<typeof runOrderUpdate>[2],
  request: { idempotent?: IdempotentRequest; req: Request },
  start: (handle: WorkflowHandle, updateId: string | undefined) => Promise<WorkflowUpdateHandle<unknown>>,
): Promise<StepAnswer> {
  const waitS = preferredWait(request.req);
  let accepted: WorkflowUpdateHandle<unknown> | undefined;
  let finished = false;
  const afterAccept = await runOrderUpdate(deps, order, command, request.idempotent, async (h, updateId) => {
    accepted = await start(h, updateId);
    // The outcome is asked for at once: an update the workflow's validator refused comes back with it already (no
    // poll: the SDK keeps it from the start answer), and is thrown here, for runOrderUpdate to answer.
    finished = await waitForWorkflow(deps, 1, () => accepted!.result());
  });
  if (waitS !== null) request.req.res?.setHeader('Preference-Applied', `wait=${waitS}`);
  if (!finished && waitS) finished = await waitForWorkflow(deps, waitS * 1000, () => accepted!.result());
  const row = finished ? (await findOrder(deps.database.db, afterAccept.id))! : await projected(deps, afterAccept);
  return { status: finished ? 200 : 202, row };
}

/**
 * The order as the read model shows it once the accepted step's in-flight status is projected (the workflow projects
 * it in the task that accepts the update, so this is at once in practice; at most a second is given).
 */
async function projected(deps: ApiDeps, row: OrderRow): Promise<OrderRow> {
  let now = row;
  for (let i = 0; i < 20 && now.version === row.version && !IN_FLIGHT.has(now.status as OrderStatus); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = (await findOrder(deps.database.db, row.id))!;
  }
  return now;
}

/** A replayed step (same Idempotency-Key): the order as it is now, 202 while its step still runs, else 200. */
export function currentStep<T>(row: OrderRow, render: (row: OrderRow) => T): { status: 200 | 202; body: { data: T } } {
  return { status: IN_FLIGHT.has(row.status as OrderStatus) ? 202 : 200, body: { data: render(row) } };
}

/** A step route's `idempotency.current`: the order of its `:id` param as it is now (currentStep), in the route's rendering. */
export const currentStepOf =
  <T>(render: (row: OrderRow) => T) =>
  async ({ params, deps }: { params: unknown; deps: ApiDeps }) =>
    currentStep(await requireOrder(deps, (params as { id: string }).id), render);
