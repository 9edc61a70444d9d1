import { WorkflowIdReusePolicy } from '@temporalio/client';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { derivedId, isId, newId } from '../../src/ids';
import { amountSchema, formatAmount, parseAmount, parseCurrency } from '../../src/money';
import { deleteOrder, findOrder, insertOrder, listOrders, OrderRow } from '../../src/orders/orders-repository';
import { orderWorkflowId } from '../../workflows/ids';
import { cancelOrder, OrderInput, reserveOrder } from '../../workflows/messages/order';
import { ALLOWED_FROM, ORDER_STATUSES, TERMINAL } from '../../workflows/orders/order-state';
import type { ApiDeps } from '../context';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { callWorkflow } from '../temporal-calls';
import { requireUser } from './users';

const orderSchema = z
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
    escrow: z.object({ status: z.string().nullable(), contract_id: z.string().nullable() }),
    transitions: z.array(z.object({ status: z.string(), escrow_status: z.string().nullable(), at: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Order' });

function renderOrder(o: OrderRow): z.infer<typeof orderSchema> {
  return {
    id: o.id,
    buyer_id: o.buyerId,
    seller_id: o.sellerId,
    amount: formatAmount(o.amount),
    currency: o.currency,
    title: o.title,
    description: o.description,
    client_order_ref: o.clientOrderRef,
    metadata: o.metadata as Record<string, unknown>,
    auto_release_after: o.autoReleaseAfterSeconds,
    status: o.status as z.infer<typeof orderSchema>['status'],
    escrow: { status: o.escrowStatus, contract_id: o.contractId },
    transitions: o.transitions as z.infer<typeof orderSchema>['transitions'],
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

const orderIdParams = z.strictObject({ id: z.string().max(64) });

async function requireOrder(deps: ApiDeps, id: string): Promise<OrderRow> {
  const row = isId('ord', id) ? await findOrder(deps.database.db, id) : null;
  if (!row) throw new AppError('ORDER_NOT_FOUND', 'Order not found', { order_id: id });
  return row;
}

/** Runs one order update (the Idempotency-Key is its update id) and answers the order as the read model has it. */
function orderAction(name: 'reserve' | 'cancel', summary: string, update: typeof reserveOrder) {
  return defineRoute({
    method: 'post',
    path: `/orders/:id/${name}`,
    tag: 'Orders',
    summary,
    access: 'write',
    idempotency: { window: '7d' },
    params: orderIdParams,
    responses: {
      200: { description: 'The order after the transition', schema: z.object({ data: orderSchema }) },
      409: { description: 'INVALID_STATE: details.current_status and details.allowed_from' },
      422: { description: 'INSUFFICIENT_FUNDS (reserve)' },
    },
    async handle({ params, deps, idempotencyKey }) {
      const row = await requireOrder(deps, params.id);
      if ((TERMINAL as readonly string[]).includes(row.status)) {
        // A finished order's workflow has ended; its final state answers for it.
        throw new AppError('INVALID_STATE', `cannot ${name} an order in ${row.status}`, { current_status: row.status, allowed_from: ALLOWED_FROM[name] });
      }
      await callWorkflow(deps, (client) => client.workflow.getHandle(orderWorkflowId(row.id)).executeUpdate(update, { updateId: idempotencyKey }));
      return { status: 200, body: { data: renderOrder((await findOrder(deps.database.db, row.id))!) } };
    },
  });
}

export const orderRoutes = [
  defineRoute({
    method: 'post',
    path: '/orders',
    tag: 'Orders',
    summary: 'Create an order (starts its workflow)',
    access: 'write',
    idempotency: { window: '7d' },
    body: z.strictObject({
      buyer_id: text(64),
      seller_id: text(64),
      amount: amountSchema,
      currency: z.enum(['USD', 'USDC', 'XLM']),
      title: text(200),
      description: text(5000).optional(),
      client_order_ref: text(255).optional(),
      metadata: z.record(text(64), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).refine((m) => Object.keys(m).length <= 50, 'at most 50 keys').optional(),
      auto_release_after: z.number().int().min(1).max(365 * 24 * 3600).optional().meta({ description: 'Seconds after delivery before funds release automatically unless a dispute is opened' }),
    }),
    responses: { 201: { description: 'Created (ORDER_CREATED)', schema: z.object({ data: orderSchema }) } },
    async handle({ body, deps, principal, idempotencyKey }) {
      const buyer = await requireUser(deps.database.db, body.buyer_id);
      const seller = await requireUser(deps.database.db, body.seller_id);
      if (buyer.id === seller.id) throw new AppError('VALIDATION_ERROR', 'buyer and seller must differ', { fields: [{ field: 'body.seller_id', code: 'same_party', message: 'must differ from buyer_id' }] });
      const id = idempotencyKey ? derivedId('ord', `${principal!.id}:${idempotencyKey}`) : newId('ord');
      const amount = parseAmount(body.amount);
      const currency = parseCurrency(body.currency);
      const row = await insertOrder(
        deps.database.db,
        { id, buyerId: buyer.id, sellerId: seller.id, amount, currency, title: body.title, description: body.description, clientOrderRef: body.client_order_ref, metadata: body.metadata, autoReleaseAfterSeconds: body.auto_release_after },
        new Date(),
      );
      const input: OrderInput = { orderId: id, buyerId: buyer.id, sellerId: seller.id, amountMinor: amount.toString(), currency, reservationTtlMs: deps.config.ORDER_RESERVATION_TTL_MS };
      try {
        await callWorkflow(deps, (client) =>
          client.workflow.start('order', {
            workflowId: orderWorkflowId(id),
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            args: [input],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: { summary: `ORDER_CREATED · ${body.amount} ${currency} · buyer ${buyer.id} · seller ${seller.id}` },
          }),
        );
      } catch (err) {
        const alreadyStarted = (err as Error)?.name === 'WorkflowExecutionAlreadyStartedError';
        if (!alreadyStarted) {
          await deleteOrder(deps.database.db, id);
          throw err;
        }
      }
      return { status: 201, body: { data: renderOrder(row) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/orders',
    tag: 'Orders',
    summary: 'List orders, newest first',
    access: 'read',
    query: z.strictObject({ ...pageQuery, status: z.enum(ORDER_STATUSES).optional(), buyer_id: text(64).optional(), seller_id: text(64).optional(), ...createdQuery }),
    responses: { 200: { description: 'A page of orders', schema: z.object({ data: z.array(orderSchema), pagination: paginationSchema }) } },
    async handle({ query, deps }) {
      const rows = await listOrders(deps.database.db, { status: query.status, buyerId: query.buyer_id, sellerId: query.seller_id, ...createdRange(query) }, { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) });
      return { status: 200, body: page(rows, query.limit, (o) => o.seq, renderOrder) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/orders/:id',
    tag: 'Orders',
    summary: 'Get an order with its escrow and transitions',
    access: 'read',
    params: orderIdParams,
    responses: { 200: { description: 'The order', schema: z.object({ data: orderSchema }) }, 404: { description: 'ORDER_NOT_FOUND' } },
    async handle({ params, deps }) {
      return { status: 200, body: { data: renderOrder(await requireOrder(deps, params.id)) } };
    },
  }),
  orderAction('reserve', 'Reserve the buyer’s funds for the order (available → held)', reserveOrder),
  orderAction('cancel', 'Cancel the order before its escrow is funded; a reservation is returned', cancelOrder),
];
