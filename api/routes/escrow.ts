import { z } from 'zod';
import { AppError } from '../../src/errors';
import { amountSchema, currencySchema, parseAmount, parseCurrency } from '../../src/money';
import { asActor, createEscrow, fundEscrow } from '../../workflows/messages/order';
import { defineRoute } from '../http/route';
import { escrowSchema, orderIdParams, renderEscrow, requireOrder, stepFailures } from './order-views';
import { currentStepOf, runOrderStep } from './order-steps';
import { orderUpdateRoute } from './order-update-route';

const escrowAnswer = { description: 'The escrow after the step', schema: z.object({ data: escrowSchema }) };
const acceptedAnswer = {
  description: 'Accepted: the escrow is being created (order ESCROW_CREATING); GET the order or wait for its event',
  schema: z.object({ data: escrowSchema }),
};
export const escrowRoutes = [
  defineRoute({
    method: 'post',
    path: '/orders/:id/escrow',
    tag: 'Escrow',
    summary:
      'Create the escrow contract through Trustless Work (roles: buyer approves and releases, seller delivers and receives, platform resolves)',
    access: 'write',
    idempotency: {
      window: '7d',
      current: currentStepOf(renderEscrow),
    },
    params: orderIdParams,
    body: z.strictObject({ amount: amountSchema, currency: currencySchema }),
    responses: {
      200: escrowAnswer,
      202: acceptedAnswer,
      400: { description: 'VALIDATION_ERROR: amount or currency differ from the order’s' },
      ...stepFailures,
    },
    async handle({ params, body, deps, idempotent, actor, req }) {
      const order = await requireOrder(deps, params.id);
      const amount = parseAmount(body.amount);
      const currency = parseCurrency(body.currency);
      const fields = [
        ...(amount !== order.amount
          ? [{ field: 'body.amount', code: 'differs_from_order', message: `the order is for ${renderEscrow(order).amount}` }]
          : []),
        ...(currency !== order.currency
          ? [{ field: 'body.currency', code: 'differs_from_order', message: `the order is in ${order.currency}` }]
          : []),
      ];
      if (fields.length > 0)
        throw new AppError('VALIDATION_ERROR', 'The escrow must hold exactly the order’s amount and currency', { fields });
      if (order.currency !== 'USD')
        throw new AppError('VALIDATION_ERROR', 'Escrows hold USDC: only USD orders can be escrowed', {
          fields: [{ field: 'body.currency', code: 'unsupported', message: 'escrows hold USDC' }],
        });
      const step = await runOrderStep(deps, order, 'createEscrow', { idempotent, req }, (h, updateId) =>
        h.startUpdate(asActor(createEscrow), { args: [actor], updateId, waitForStage: 'ACCEPTED' }),
      );
      return { status: step.status, body: { data: renderEscrow(step.row) } };
    },
  }),
  orderUpdateRoute({
    path: '/orders/:id/escrow/fund',
    tag: 'Escrow',
    summary: 'Fund the escrow from the buyer’s wallet (the ledger moves the reservation to escrow); escrow FUNDED, order IN_PROGRESS',
    command: 'fund',
    update: fundEscrow,
    answer: 'escrow',
    accepted: true,
    description: escrowAnswer.description,
    failures: stepFailures,
  }),
];
