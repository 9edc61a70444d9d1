import { z } from 'zod';
import { getBalances, getTransactions } from '../../src/ledger';
import { currencySchema, parseCurrency } from '../../src/money';
import { pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { requireUser, userIdParams } from './users';

const balanceSchema = z
  .object({
    currency: z.enum(['USD', 'XLM']),
    available: z.string().meta({ description: 'Spendable now', example: '1250' }),
    held: z.string().meta({ description: 'Reserved for orders + locked in escrows + withdrawals in flight', example: '200' }),
  })
  .meta({ id: 'Balance' });

const transactionSchema = z
  .object({
    id: z.string(),
    entry_id: z.string(),
    type: z.string().meta({ description: 'The journal entry type (deposit, reserve, escrow_fund, settle, withdrawal_hold, …)' }),
    bucket: z.string().meta({ description: 'Which of the user’s balances moved: available, reserved, escrow, withdrawing' }),
    currency: z.string(),
    amount: z.string().meta({ description: 'Signed decimal: negative when the bucket went down' }),
    balance_after: z.string().meta({ description: 'The bucket’s balance right after this line (running balance)' }),
    related: z.object({ type: z.string(), id: z.string() }).nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Transaction' });

export const balanceRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/:id/balance',
    tag: 'Balances',
    summary: 'The user’s balance in each currency',
    description: '`held` covers funds reserved for orders, funds locked in escrows and withdrawals in flight.',
    access: 'read',
    params: userIdParams,
    responses: {
      200: { description: 'Balances', schema: z.object({ data: z.object({ user_id: z.string(), balances: z.array(balanceSchema) }) }) },
      404: { description: 'USER_NOT_FOUND' },
    },
    async handle({ params, deps }) {
      const user = await requireUser(deps.database.db, params.id);
      return { status: 200, body: { data: { user_id: user.id, balances: await getBalances(deps.database.pool, user.id) } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id/transactions',
    tag: 'Balances',
    summary: 'The user’s ledger history, newest first',
    access: 'read',
    params: userIdParams,
    query: z.strictObject({ ...pageQuery, currency: currencySchema.optional() }),
    responses: {
      200: { description: 'A page of ledger lines', schema: z.object({ data: z.array(transactionSchema), pagination: paginationSchema }) },
      404: { description: 'USER_NOT_FOUND' },
    },
    async handle({ params, query, deps }) {
      const user = await requireUser(deps.database.db, params.id);
      const page = await getTransactions(deps.database.pool, user.id, {
        limit: query.limit,
        cursor: query.cursor,
        currency: query.currency ? parseCurrency(query.currency) : undefined,
      });
      return {
        status: 200,
        body: {
          data: page.items.map((t) => ({
            id: t.id,
            entry_id: t.entryId,
            type: t.type,
            bucket: t.bucket,
            currency: t.currency,
            amount: t.amount,
            balance_after: t.balanceAfter,
            related: t.related,
            created_at: t.createdAt.toISOString(),
          })),
          pagination: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor },
        },
      };
    },
  }),
];
