import { z } from 'zod';
import type { OrderCommand } from '../../src/orders/order-state';
import { asActor, type reserveOrder } from '../../workflows/messages/order';
import { defineRoute, type RouteSpec } from '../http/route';
import { escrowSchema, orderIdParams, orderSchema, renderEscrow, renderOrder, runOrderUpdate } from './order-views';

/** How a step's route answers: the whole order, or its escrow with what was paid and the fees. */
const ANSWERS = {
  order: { schema: z.object({ data: orderSchema }), render: renderOrder },
  escrow: { schema: z.object({ data: escrowSchema }), render: renderEscrow },
} as const;

/**
 * `POST /orders/{id}/<step>` for a step that takes no body: sends the order workflow one update (its id derived from
 * the API key, the command and the Idempotency-Key: see runOrderUpdate) and answers the order, or its escrow, as the
 * update left it. Written once for every such step.
 */
export function orderUpdateRoute(spec: {
  path: string;
  tag: string;
  summary: string;
  command: OrderCommand['kind'];
  update: typeof reserveOrder;
  answer: keyof typeof ANSWERS;
  /** The answer's description (200) and the failures the step may answer. */
  description: string;
  failures: RouteSpec<z.ZodType, z.ZodType, z.ZodType>['responses'];
}) {
  const answer = ANSWERS[spec.answer];
  return defineRoute({
    method: 'post',
    path: spec.path,
    tag: spec.tag,
    summary: spec.summary,
    access: 'write',
    idempotency: { window: '7d' },
    params: orderIdParams,
    responses: { 200: { description: spec.description, schema: answer.schema }, ...spec.failures },
    async handle({ params, deps, idempotent, actor }) {
      const row = await runOrderUpdate(deps, params.id, spec.command, idempotent, (h, updateId) =>
        h.executeUpdate(asActor(spec.update), { args: [actor], updateId }),
      );
      return { status: 200, body: { data: answer.render(row) } };
    },
  });
}
