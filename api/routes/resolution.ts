import { z } from 'zod';
import { asActor, deliverOrder, disputeOrder, refundOrder, releaseOrder } from '../../workflows/messages/order';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { disputeSchema, renderDispute, requireDisputeOf } from './dispute-views';
import { disputeIdOf, orderIdParams, orderSchema, renderOrder, runOrderUpdate, stepFailures } from './order-views';
import { currentStepOf, runOrderStep } from './order-steps';
import { orderUpdateRoute } from './order-update-route';

export const resolutionRoutes = [
  defineRoute({
    method: 'post',
    path: '/orders/:id/deliver',
    tag: 'Resolution',
    summary: 'The seller marks the work delivered (the escrow’s milestone is completed on chain with the evidence)',
    access: 'write',
    idempotency: {
      window: '7d',
      current: currentStepOf(renderOrder),
    },
    params: orderIdParams,
    body: z.strictObject({ evidence: text(2000).optional().meta({ description: 'A link or note proving delivery' }) }),
    responses: {
      200: { description: 'The order, DELIVERED', schema: z.object({ data: orderSchema }) },
      202: {
        description:
          'Accepted: the milestone is being completed on chain (order DELIVERING); GET the order, wait for its event or Prefer: wait',
        schema: z.object({ data: orderSchema }),
      },
      ...stepFailures,
    },
    async handle({ params, body, deps, idempotent, actor, req }) {
      const step = await runOrderStep(deps, params.id, 'deliver', { idempotent, req }, (h, updateId) =>
        h.startUpdate(asActor(deliverOrder), { args: [{ evidence: body.evidence }, actor], updateId, waitForStage: 'ACCEPTED' }),
      );
      return { status: step.status, body: { data: renderOrder(step.row) } };
    },
  }),
  orderUpdateRoute({
    path: '/orders/:id/resolution/release',
    tag: 'Resolution',
    summary: 'The buyer approves: the contract pays the seller (less the platform’s and Trustless Work’s fees)',
    command: 'release',
    update: releaseOrder,
    answer: 'escrow',
    accepted: true,
    description: 'The escrow once paid out',
    failures: stepFailures,
  }),
  orderUpdateRoute({
    path: '/orders/:id/resolution/refund',
    tag: 'Resolution',
    summary:
      'Before delivery only: the whole escrow goes back to the buyer (through the contract’s dispute resolution; its fees apply). After delivery a refund goes through a dispute',
    command: 'refund',
    update: refundOrder,
    answer: 'escrow',
    accepted: true,
    description: 'The escrow once paid out',
    failures: stepFailures,
  }),
  defineRoute({
    method: 'post',
    path: '/orders/:id/resolution/dispute',
    tag: 'Resolution',
    summary: 'Open a dispute (dsp_…): the escrow is frozen on chain until support resolves it',
    access: 'write',
    idempotency: { window: '7d' },
    params: orderIdParams,
    body: z.strictObject({ opened_by: z.enum(['BUYER', 'SELLER']), reason: text(2000), evidence: text(2000).optional() }),
    responses: { 201: { description: 'The dispute, OPEN', schema: z.object({ data: disputeSchema }) }, ...stepFailures },
    async handle({ params, body, deps, idempotent, actor }) {
      const row = await runOrderUpdate(deps, params.id, 'dispute', idempotent, (h, updateId) =>
        h.executeUpdate(asActor(disputeOrder), {
          args: [
            {
              dispute_id: disputeIdOf(params.id),
              opened_by: body.opened_by,
              reason: body.reason,
              ...(body.evidence === undefined ? {} : { evidence: body.evidence }),
            },
            actor,
          ],
          updateId,
        }),
      );
      return { status: 201, body: { data: renderDispute(await requireDisputeOf(deps, row.disputeId!), row) } };
    },
  }),
];
