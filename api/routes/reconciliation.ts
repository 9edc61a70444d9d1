import { z } from 'zod';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { defineRoute } from '../http/route';

const line = z.object({ user_id: z.string(), address: z.string(), ledger: z.string(), on_chain: z.string().nullable(), drift: z.string() });

export const reconciliationRoutes = [
  defineRoute({
    method: 'get',
    path: '/reconciliation/custody',
    tag: 'Support',
    summary: 'Ledger custody against on-chain USDC balances, per user and in total (support scope)',
    access: 'support',
    responses: {
      200: {
        description: 'The comparison; `drifted` lists every wallet whose on-chain balance differs from the ledger',
        schema: z.object({ data: z.object({ checked_at: z.string(), users: z.number(), totals: z.object({ ledger: z.string(), on_chain: z.string(), drift: z.string() }), drifted: z.array(line) }) }),
      },
    },
    async handle({ deps }) {
      return { status: 200, body: { data: await reconcileCustody(deps.database.pool, deps.stellar) } };
    },
  }),
];
