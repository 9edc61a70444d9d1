import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { UserIdKey, WithdrawalStatusKey } from '../../src/temporal/search-attributes';
import { z } from 'zod';
import { withdrawalStatuses } from '../../src/db/schema';
import { AppError } from '../../src/errors';
import { derivedId, isId } from '../../src/ids';
import { amountSchema, parseAmount, parseCurrency } from '../../src/money';
import { normalizeMemo, stellarDestinationSchema } from '../../src/withdrawals/destination';
import { renderWithdrawal } from '../../src/withdrawals/render';
import { findWithdrawal, listWithdrawals } from '../../src/withdrawals/withdrawals-repository';
import { withdrawalWorkflowId } from '../../workflows/ids';
import { commitWithdrawal, type WithdrawalRequest } from '../../workflows/messages/withdrawal';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { callWorkflow } from '../temporal-calls';
import { requireUser } from './users';

const withdrawalSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    destination: z.object({
      type: z.literal('stellar'),
      address: z.string(),
      memo: z.object({ type: z.string(), value: z.string() }).nullable(),
    }),
    status: z.enum(withdrawalStatuses),
    tx_hash: z.string().nullable(),
    failure_code: z
      .string()
      .nullable()
      .meta({ description: 'Stellar result code of a failed payment (op_no_trust, op_no_destination, …)' }),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'Withdrawal' });

export const withdrawalRoutes = [
  defineRoute({
    method: 'post',
    path: '/withdrawals',
    tag: 'Withdrawals',
    summary: 'Withdraw USDC to a Stellar address',
    description:
      'The amount moves from available to in flight at once (422 INSUFFICIENT_FUNDS otherwise), then a workflow pays it on Stellar and settles: WITHDRAWAL_COMPLETED, or WITHDRAWAL_FAILED with the result code and the funds back in available. Idempotency-Key is required; 5 requests a minute per user.',
    access: 'write',
    idempotency: { window: '24h', required: true },
    userRateLimit: {
      limit: 5,
      name: 'withdrawals',
      userId: (b: { user_id?: unknown }) => (typeof b.user_id === 'string' ? b.user_id : undefined),
    },
    body: z.strictObject({
      user_id: text(64),
      amount: amountSchema,
      currency: z.enum(['USD', 'USDC']).meta({ description: 'USD, paid as USDC on Stellar (USDC accepted as a synonym)' }),
      destination: stellarDestinationSchema,
    }),
    responses: {
      201: { description: 'Committed: funds held, payment under way', schema: z.object({ data: withdrawalSchema }) },
      422: { description: 'INSUFFICIENT_FUNDS (details: available, requested)' },
    },
    async handle({ body, deps, principal, idempotencyKey }) {
      const user = await requireUser(deps.database.db, body.user_id);
      const withdrawalId = derivedId('wd', `${principal!.id}:${idempotencyKey}`);
      const request: WithdrawalRequest = {
        withdrawalId,
        userId: user.id,
        amountMinor: parseAmount(body.amount).toString(),
        currency: parseCurrency(body.currency) as 'USD',
        address: body.destination.address,
        memo: body.destination.memo === undefined ? null : normalizeMemo(body.destination.memo),
      };
      const view = await callWorkflow(deps, (client) =>
        client.workflow.executeUpdateWithStart(commitWithdrawal, {
          updateId: idempotencyKey,
          startWorkflowOperation: new WithStartWorkflowOperation('withdrawal', {
            workflowId: withdrawalWorkflowId(withdrawalId),
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            args: [request],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            typedSearchAttributes: [
              { key: UserIdKey, value: user.id },
              { key: WithdrawalStatusKey, value: 'WITHDRAWAL_CREATED' },
            ],
          }),
        }),
      );
      return { status: 201, body: { data: view } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/withdrawals/:id',
    tag: 'Withdrawals',
    summary: 'Get a withdrawal',
    access: 'read',
    params: z.strictObject({ id: z.string().max(64) }),
    responses: {
      200: { description: 'The withdrawal', schema: z.object({ data: withdrawalSchema }) },
      404: { description: 'WITHDRAWAL_NOT_FOUND' },
    },
    async handle({ params, deps }) {
      const row = isId('wd', params.id) ? await findWithdrawal(deps.database.db, params.id) : null;
      if (!row) throw new AppError('WITHDRAWAL_NOT_FOUND', 'Withdrawal not found', { withdrawal_id: params.id });
      return { status: 200, body: { data: renderWithdrawal(row) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/withdrawals',
    tag: 'Withdrawals',
    summary: 'List withdrawals, newest first',
    access: 'read',
    query: z.strictObject({
      ...pageQuery,
      user_id: text(64).optional(),
      status: z.enum(withdrawalStatuses).optional(),
      ...createdQuery,
    }),
    responses: {
      200: { description: 'A page of withdrawals', schema: z.object({ data: z.array(withdrawalSchema), pagination: paginationSchema }) },
    },
    async handle({ query, deps }) {
      const rows = await listWithdrawals(
        deps.database.db,
        {
          userId: query.user_id,
          status: query.status,
          ...createdRange(query),
        },
        { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) },
      );
      return { status: 200, body: page(rows, query.limit, (w) => w.seq, renderWithdrawal) };
    },
  }),
];
