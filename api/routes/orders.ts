import { WorkflowIdReusePolicy } from '@temporalio/client';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { derivedId, newId } from '../../src/ids';
import { idempotentName } from '../../src/idempotency';
import { amountSchema, parseAmount, parseCurrency } from '../../src/money';
import { percentToBps } from '../../src/escrow/fees';
import { deleteOrder, insertOrder, listOrders } from '../../src/orders/orders-repository';
import { orderWorkflowId } from '../../workflows/ids';
import { cancelOrder, type OrderInput, reserveOrder } from '../../workflows/messages/order';
import { ORDER_STATUSES } from '../../src/orders/order-state';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { callWorkflow } from '../temporal-calls';
import { disputeIdOf, orderIdParams, orderSchema, renderOrder, requireOrder } from './order-views';
import { orderUpdateRoute } from './order-update-route';
import { requireUser } from './users';

/** Failures after which the order workflow may or may not have started. */
const AMBIGUOUS_START = new Set(['PROVIDER_TIMEOUT', 'SERVICE_UNAVAILABLE']);

const INVALID_STATE = { description: 'INVALID_STATE: details.current_status and details.allowed_from' };

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
      metadata: z
        .record(text(64), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
        .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
        .optional(),
      auto_release_after: z
        .number()
        .int()
        .min(1)
        .max(365 * 24 * 3600)
        .optional()
        .meta({ description: 'Seconds after delivery before funds release automatically unless a dispute is opened' }),
    }),
    responses: { 201: { description: 'Created (ORDER_CREATED)', schema: z.object({ data: orderSchema }) } },
    async handle({ body, deps, idempotent }) {
      const buyer = await requireUser(deps.database.db, body.buyer_id);
      const seller = await requireUser(deps.database.db, body.seller_id);
      if (buyer.id === seller.id)
        throw new AppError('VALIDATION_ERROR', 'buyer and seller must differ', {
          fields: [{ field: 'body.seller_id', code: 'same_party', message: 'must differ from buyer_id' }],
        });
      // Under an Idempotency-Key the id is derived (a retry finds its order) from the API key, the key and the body:
      // after the key's window another body makes another order, never the old one answered as created.
      const id = idempotent ? derivedId('ord', idempotentName(idempotent, 'order.create')) : newId('ord');
      const amount = parseAmount(body.amount);
      const currency = parseCurrency(body.currency);
      const platformFeeBps = Number(percentToBps(deps.config.PLATFORM_FEE_PERCENT));
      const row = await insertOrder(
        deps.database.db,
        {
          id,
          buyerId: buyer.id,
          sellerId: seller.id,
          amount,
          currency,
          title: body.title,
          description: body.description,
          clientOrderRef: body.client_order_ref,
          metadata: body.metadata,
          autoReleaseAfterSeconds: body.auto_release_after,
          platformFeeBps,
        },
        new Date(),
      );
      const input: OrderInput = {
        orderId: id,
        buyerId: buyer.id,
        sellerId: seller.id,
        amountMinor: amount.toString(),
        currency,
        reservationTtlMs: deps.config.ORDER_RESERVATION_TTL_MS,
        platformFeeBps,
        autoReleaseAfterMs: body.auto_release_after ? body.auto_release_after * 1000 : null,
        disputeId: disputeIdOf(id),
        createdTtlMs: deps.config.ORDER_CREATED_TTL_MS,
        escrowStepTimeoutMs: deps.config.ESCROW_STEP_TIMEOUT_MS,
      };
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
        if (alreadyStarted) return { status: 201, body: { data: renderOrder(row) } };
        // No answer (504) or no server (503): the workflow may exist, so the row stays and a retry with the same
        // Idempotency-Key finds both. Only a definite refusal of the start takes the order back.
        if (!(err instanceof AppError && AMBIGUOUS_START.has(err.code))) await deleteOrder(deps.database.db, id);
        throw err;
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
    query: z.strictObject({
      ...pageQuery,
      status: z.enum(ORDER_STATUSES).optional(),
      buyer_id: text(64).optional(),
      seller_id: text(64).optional(),
      ...createdQuery,
    }),
    responses: { 200: { description: 'A page of orders', schema: z.object({ data: z.array(orderSchema), pagination: paginationSchema }) } },
    async handle({ query, deps }) {
      const rows = await listOrders(
        deps.database.db,
        { status: query.status, buyerId: query.buyer_id, sellerId: query.seller_id, ...createdRange(query) },
        { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) },
      );
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
  orderUpdateRoute({
    path: '/orders/:id/reserve',
    tag: 'Orders',
    summary: 'Reserve the buyer’s funds for the order (available → held)',
    command: 'reserve',
    update: reserveOrder,
    answer: 'order',
    description: 'The order after the transition',
    failures: { 409: INVALID_STATE, 422: { description: 'INSUFFICIENT_FUNDS' } },
  }),
  orderUpdateRoute({
    path: '/orders/:id/cancel',
    tag: 'Orders',
    summary: 'Cancel the order before its escrow is funded; a reservation is returned',
    command: 'cancel',
    update: cancelOrder,
    answer: 'order',
    description: 'The order after the transition',
    failures: { 409: INVALID_STATE },
  }),
];
