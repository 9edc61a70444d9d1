import { z } from 'zod';
import type { OrderCommand } from '../../src/orders/order-state';
import type { OrderRow } from '../../src/orders/orders-repository';
import { asActor, type reserveOrder } from '../../workflows/messages/order';
import { defineRoute, type RouteSpec } from '../http/route';
import { escrowSchema, orderIdParams, orderSchema, renderEscrow, renderOrder, runOrderUpdate } from './order-views';
import { currentStepOf, runOrderStep } from './order-steps';

/** How a step's route answers: the whole order, or its escrow with what was paid and the fees. */
const ANSWERS = {
  order: { schema: z.object({ data: orderSchema }), render: renderOrder },
  escrow: { schema: z.object({ data: escrowSchema }), render: renderEscrow },
} as const;

/**
 * `POST /orders/{id}/<step>` for a step that takes no body: sends the order workflow one update (its id derived from
 * the API key, the command and the Idempotency-Key: see runOrderUpdate) and answers the order, or its escrow. A step
 * done in the workflow alone answers as it left the order (200); a step on chain (`accepted`) answers once accepted
 * (202), or when done if the client prefers to wait (order-steps.ts). Written once for every such step.
 */
export function orderUpdateRoute(spec: {
  path: string;
  tag: string;
  summary: string;
  command: OrderCommand['kind'];
  update: typeof reserveOrder;
  answer: keyof typeof ANSWERS;
  /** The step runs on chain: 202 once accepted. */
  accepted?: true;
  /** The answer's description (200) and the failures the step may answer. */
  description: string;
  failures: RouteSpec<z.ZodType, z.ZodType, z.ZodType>['responses'];
}) {
  const answer = ANSWERS[spec.answer];
  const render: (row: OrderRow) => unknown = answer.render;
  const accepted: RouteSpec<z.ZodType, z.ZodType, z.ZodType>['responses'] = spec.accepted
    ? {
        202: {
          description: 'Accepted: the step runs; the order shows its in-flight status (or the outcome, after Prefer: wait)',
          schema: answer.schema,
        },
      }
    : {};
  return defineRoute({
    method: 'post',
    path: spec.path,
    tag: spec.tag,
    summary: spec.summary,
    access: 'write',
    params: orderIdParams,
    idempotency: {
      window: '7d',
      ...(spec.accepted ? { current: currentStepOf(render) } : {}),
    },
    responses: { 200: { description: spec.description, schema: answer.schema }, ...accepted, ...spec.failures },
    async handle({ params, deps, idempotent, actor, req }) {
      if (spec.accepted) {
        const step = await runOrderStep(deps, params.id, spec.command, { idempotent, req }, (h, updateId) =>
          h.startUpdate(asActor(spec.update), { args: [actor], updateId, waitForStage: 'ACCEPTED' }),
        );
        return { status: step.status, body: { data: render(step.row) } };
      }
      const row = await runOrderUpdate(deps, params.id, spec.command, idempotent, (h, updateId) =>
        h.executeUpdate(asActor(spec.update), { args: [actor], updateId }),
      );
      return { status: 200, body: { data: answer.render(row) } };
    },
  });
}
