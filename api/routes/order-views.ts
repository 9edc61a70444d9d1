import { type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { derivedId, isId } from '../../src/ids';
import { idempotentUpdateId, type IdempotentRequest } from '../../src/idempotency';
import type { LastError } from '../../src/orders/last-error';
import { escrowIdOf, renderEscrow, renderOrder } from '../../src/orders/render';
import { findOrder, type OrderRow } from '../../src/orders/orders-repository';
import { orderWorkflowId } from '../../workflows/ids';
import { ALLOWED_FROM, ORDER_STATUSES, type OrderCommand, type OrderStatus, TERMINAL } from '../../src/orders/order-state';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';

/** The escrow of an order, as the escrow and resolution endpoints answer and `GET /orders/{id}` embeds it. */
export const escrowSchema = z
  .object({
    escrow_id: z.string().meta({ description: '`esc_…`, one per order' }),
    order_id: z.string(),
    contract_id: z.string().nullable().meta({ description: 'The Soroban escrow contract (C…) once deployed' }),
    buyer_id: z.string(),
    seller_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    status: z.string().nullable().meta({ description: 'CREATED, FUNDED, DISPUTED, RELEASED, REFUNDED or SPLIT; null before creation' }),
    order_status: z.enum(ORDER_STATUSES),
    platform_fee_percent: z.string(),
    released_amount: z.string().nullable().meta({ description: 'What the seller received, after fees' }),
    refunded_amount: z.string().nullable().meta({ description: 'What the buyer got back, after fees' }),
    fees: z.object({ platform: z.string(), protocol: z.string() }).nullable(),
    settlement_tx_hash: z.string().nullable(),
    released_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Escrow' });

/** `last_error`, in its one shape (src/orders/last-error.ts). */
const lastErrorSchema = z.object({
  step: z.string(),
  code: z.string(),
  message: z.string(),
  attempt: z.number().int().nullable().meta({ description: 'The attempt that failed; null when the workflow recorded the refusal' }),
  retrying: z.boolean(),
  at: z.string(),
}) satisfies z.ZodType<LastError>;

export const orderSchema = z
  .object({
    id: z.string(),
    buyer_id: z.string(),
    seller_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    client_order_ref: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    auto_release_after: z.number().nullable().meta({ description: 'Seconds after delivery before the escrow is released unless disputed' }),
    status: z.enum(ORDER_STATUSES),
    escrow: escrowSchema,
    dispute_id: z.string().nullable(),
    last_error: lastErrorSchema.nullable().meta({
      description: 'The last failure of a step: `retrying: true` while it is being retried, else it was refused and the order went back',
    }),
    transitions: z.array(z.object({ status: z.string(), escrow_status: z.string().nullable(), at: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Order' });

/** An escrow can be disputed once: the order's dispute id is derived from it. */
export function disputeIdOf(orderId: string): string {
  return derivedId('dsp', orderId);
}

// The views are rendered in src/ (events carry them too); these schemas document them and must stay assignable.
renderOrder satisfies (o: OrderRow) => z.infer<typeof orderSchema>;
renderEscrow satisfies (o: OrderRow) => z.infer<typeof escrowSchema>;
export { escrowIdOf, renderEscrow, renderOrder };

/** The answers of a request that runs a step on chain, beside its success. */
export const stepFailures = {
  409: { description: 'INVALID_STATE: details.current_status and details.allowed_from' },
  502: { description: 'PROVIDER_ERROR: Trustless Work or the network refused the step (the order went back; details say why)' },
  504: {
    description: 'PROVIDER_TIMEOUT: the step is still running (retried with backoff); retry with the same Idempotency-Key or GET the order',
  },
};

export const orderIdParams = z.strictObject({ id: z.string().max(64) });

export async function requireOrder(deps: ApiDeps, id: string): Promise<OrderRow> {
  const row = isId('ord', id) ? await findOrder(deps.database.db, id) : null;
  if (!row) throw new AppError('ORDER_NOT_FOUND', 'Order not found', { order_id: id });
  return row;
}

/**
 * Sends one request to the order's workflow as an update and answers the order as the read model has it afterwards.
 * A finished order's workflow has ended: its final state answers for it (409 INVALID_STATE), unless the request is
 * keyed: then its update is sent anyway, since it may be the very step that finished the order, retried after a fault
 * (a 504, or an answer lost with its process) had freed its Idempotency-Key. Temporal answers a known update id with
 * that update's outcome even once the workflow has completed, and an unknown one as not found (INVALID_STATE below).
 *
 * The update id is derived from the API key, the command, the Idempotency-Key and the request's hash
 * (`idempotentUpdateId`), never the key string alone: Temporal answers a second update with a known id with the
 * first one's result, so two API keys sending the same key string (or one key sent to reserve, then to cancel)
 * would otherwise share one update, and the second request would answer 200 without running. Updates sent before
 * this derivation keep their ids in their histories; only new requests get derived ones.
 */
export async function runOrderUpdate(
  deps: ApiDeps,
  /** The order, or its id when the caller has not read it yet. */
  order: OrderRow | string,
  command: OrderCommand['kind'],
  idempotent: IdempotentRequest | undefined,
  send: (handle: WorkflowHandle, updateId: string | undefined) => Promise<unknown>,
): Promise<OrderRow> {
  const row = typeof order === 'string' ? await requireOrder(deps, order) : order;
  const updateId = idempotent ? idempotentUpdateId(idempotent, command) : undefined;
  if ((TERMINAL as readonly string[]).includes(row.status) && !updateId) {
    throw new AppError('INVALID_STATE', `cannot ${command} an order in ${row.status}`, {
      current_status: row.status,
      allowed_from: ALLOWED_FROM[command],
    });
  }
  const catchUpUntil = Date.now() + deps.config.WORKFLOW_UPDATE_TIMEOUT_MS;
  for (;;) {
    try {
      await callWorkflow(deps, (client) => send(client.workflow.getHandle(orderWorkflowId(row.id)), updateId));
      return (await findOrder(deps.database.db, row.id))!;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // The order finished between our read and the update: its final state answers.
        const now = (await findOrder(deps.database.db, row.id))!;
        throw new AppError('INVALID_STATE', `cannot ${command} an order in ${now.status}`, {
          current_status: now.status,
          allowed_from: ALLOWED_FROM[command],
        });
      }
      if (Date.now() >= catchUpUntil || !(await workflowBehindReadModel(deps, row.id, command, err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }
}

const CATCH_UP_POLL_MS = 250;

/**
 * The workflow refused the step for a status its read model has already left, for one that allows the step: after a
 * worker crash the projection of a step's outcome (a local activity) can be written while the workflow task that ran
 * it was lost, and until the recovering workflow redoes that task it still holds the in-flight status. The step is
 * then sent again (a refused update leaves no history, so its update id is still free) until the workflow caught up
 * or WORKFLOW_UPDATE_TIMEOUT_MS ran out. Any other refusal is answered at once.
 */
async function workflowBehindReadModel(deps: ApiDeps, orderId: string, command: OrderCommand['kind'], err: unknown): Promise<boolean> {
  if (!(err instanceof AppError) || err.code !== 'INVALID_STATE') return false;
  const refusedIn = (err.details as { current_status?: unknown } | undefined)?.current_status;
  const now = await findOrder(deps.database.db, orderId);
  return !!now && typeof refusedIn === 'string' && now.status !== refusedIn && ALLOWED_FROM[command].includes(now.status as OrderStatus);
}
