import { z } from 'zod';
import { assignDispute, findDispute, listDisputes } from '../../src/disputes/disputes-repository';
import { AppError } from '../../src/errors';
import { findOrder, findOrders } from '../../src/orders/orders-repository';
import { asActor, resolveOrder } from '../../workflows/messages/order';
import { DECISIONS, ResolutionProblem, resolutionAmounts } from '../../src/orders/resolution';
import { decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { amountSchema } from '../../src/money';
import { disputeSchema, renderDispute, requireDisputeOf } from './dispute-views';
import { currentStep, runOrderStep } from './order-steps';

const disputeParams = z.strictObject({ id: z.string().max(64) });
const answer = (description: string) => ({ description, schema: z.object({ data: disputeSchema }) });

export const disputeRoutes = [
  defineRoute({
    method: 'get',
    path: '/disputes',
    tag: 'Disputes',
    summary: 'List disputes, newest first',
    access: 'support',
    query: z.strictObject({
      ...pageQuery,
      status: z.enum(['OPEN', 'RESOLVING', 'RESOLVED']).optional(),
      order_id: text(64).optional(),
      assigned_to: text(200).optional(),
    }),
    responses: {
      200: { description: 'A page of disputes', schema: z.object({ data: z.array(disputeSchema), pagination: paginationSchema }) },
    },
    async handle({ query, deps }) {
      const rows = await listDisputes(
        deps.database.db,
        { status: query.status, orderId: query.order_id, assignedTo: query.assigned_to },
        { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) },
      );
      const ordersById = await findOrders(
        deps.database.db,
        rows.map((d) => d.orderId),
      );
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (d) => d.seq,
          (d) => renderDispute(d, ordersById.get(d.orderId)),
        ),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/disputes/:id',
    tag: 'Disputes',
    summary: 'Get a dispute',
    access: 'support',
    params: disputeParams,
    responses: { 200: answer('The dispute'), 404: { description: 'DISPUTE_NOT_FOUND' } },
    async handle({ params, deps }) {
      const d = await requireDisputeOf(deps, params.id);
      return { status: 200, body: { data: renderDispute(d, await findOrder(deps.database.db, d.orderId)) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/disputes/:id/assign',
    tag: 'Disputes',
    summary: 'Assign a dispute to a support agent',
    access: 'support',
    idempotency: { window: '7d' },
    params: disputeParams,
    body: z.strictObject({ assignee: text(200).meta({ description: 'Who handles it (an agent’s name or id in your support tool)' }) }),
    responses: {
      200: answer('The dispute, assigned'),
      404: { description: 'DISPUTE_NOT_FOUND' },
      409: { description: 'INVALID_STATE: already resolved' },
    },
    async handle({ params, body, deps, actor }) {
      const d = await requireDisputeOf(deps, params.id);
      if (d.status === 'RESOLVED')
        throw new AppError('INVALID_STATE', 'cannot assign a resolved dispute', {
          current_status: d.status,
          allowed_from: ['OPEN', 'RESOLVING'],
        });
      const row = (await assignDispute(deps.database.db, d.id, body.assignee, actor))!;
      return { status: 200, body: { data: renderDispute(row, await findOrder(deps.database.db, d.orderId)) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/disputes/:id/resolve',
    tag: 'Disputes',
    summary: 'Resolve a dispute: the contract pays out the decision (FULL_RELEASE, FULL_REFUND or SPLIT; amounts add up to the escrow)',
    access: 'support',
    idempotency: {
      window: '7d',
      current: async ({ params, deps }) => {
        const d = await requireDisputeOf(deps, (params as { id: string }).id);
        const order = (await findOrder(deps.database.db, d.orderId))!;
        return currentStep(order, (o) => renderDispute(d, o));
      },
    },
    params: disputeParams,
    body: z.strictObject({
      decision: z.enum(DECISIONS as ['FULL_RELEASE', 'FULL_REFUND', 'SPLIT']),
      release_amount: amountSchema.optional().meta({ description: 'To the seller (before fees); required for SPLIT' }),
      refund_amount: amountSchema.optional().meta({ description: 'To the buyer (before fees); required for SPLIT' }),
      note: text(2000),
    }),
    responses: {
      200: answer('The dispute, RESOLVED'),
      202: answer('Accepted: the payout runs (dispute RESOLVING, order RESOLVING); GET the dispute or wait for its event'),
      400: { description: 'VALIDATION_ERROR: the amounts do not add up to the escrowed amount' },
      404: { description: 'DISPUTE_NOT_FOUND' },
      409: { description: 'INVALID_STATE' },
      502: { description: 'PROVIDER_ERROR: the payout was refused; the dispute is OPEN again' },
      504: { description: 'PROVIDER_TIMEOUT: still paying out; retry with the same Idempotency-Key' },
    },
    async handle({ params, body, deps, idempotent, principal, actor, req }) {
      const d = await requireDisputeOf(deps, params.id);
      const order = (await findOrder(deps.database.db, d.orderId))!;
      const checked = resolutionAmounts(body, order.amount);
      if (checked instanceof ResolutionProblem) {
        throw new AppError('VALIDATION_ERROR', checked.message, {
          ...checked.details,
          fields: [{ field: `body.${String(checked.details.field ?? 'decision')}`, code: 'invalid_resolution', message: checked.message }],
        });
      }
      const step = await runOrderStep(deps, order, 'resolve', { idempotent, req }, (h, updateId) =>
        h.startUpdate(asActor(resolveOrder), {
          args: [{ ...body, resolved_by: principal!.id }, actor],
          updateId,
          waitForStage: 'ACCEPTED',
        }),
      );
      return { status: step.status, body: { data: renderDispute((await findDispute(deps.database.db, d.id))!, step.row) } };
    },
  }),
];
