import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../src/audit/actor';
import { recordAudit } from '../../src/audit/audit-repository';
import { AppError } from '../../src/errors';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { reconcileEscrows } from '../../src/reconciliation/escrows';
import { defineRoute } from '../http/route';
import type { ApiDeps } from '../context';

/** Support's reads of custody and escrows are audited too: who looked, and what drift they were shown. */
export async function auditRead(deps: ApiDeps, actor: Actor, what: string, details: Record<string, unknown>): Promise<void> {
  await recordAudit(deps.database.pool, {
    dedupeKey: `reconciliation.${what}:${randomUUID()}`, // every read is its own entry
    actor,
    action: `reconciliation.${what}`,
    resourceType: 'reconciliation',
    resourceId: what,
    statusBefore: null,
    statusAfter: null,
    details,
  });
}

const escrowLine = z.object({
  order_id: z.string(),
  contract_id: z.string(),
  ledger: z.string(),
  on_chain: z.string().nullable(),
  drift: z.string(),
});
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
        schema: z.object({
          data: z.object({
            checked_at: z.string(),
            users: z.number(),
            totals: z.object({ ledger: z.string(), on_chain: z.string(), drift: z.string() }),
            drifted: z.array(line),
          }),
        }),
      },
    },
    async handle({ deps, actor }) {
      const data = await reconcileCustody(deps.database.pool, deps.stellar);
      await auditRead(deps, actor, 'custody', { users: data.users, drift: data.totals.drift, drifted: data.drifted.length });
      return { status: 200, body: { data } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/reconciliation/escrows',
    tag: 'Support',
    summary:
      'Funded and disputed escrows: each contract’s balance on chain against the order’s amount, and the ledger’s escrow buckets (support scope)',
    access: 'support',
    responses: {
      200: {
        description: 'The comparison; `drifted` lists every escrow whose contract balance differs from the ledger',
        schema: z.object({
          data: z.object({
            checked_at: z.string(),
            escrows: z.number(),
            totals: z.object({ ledger: z.string(), on_chain: z.string(), drift: z.string(), escrow_buckets: z.string() }),
            drifted: z.array(escrowLine),
          }),
        }),
      },
      502: { description: 'PROVIDER_ERROR: Trustless Work is not configured or could not be asked' },
    },
    async handle({ deps, actor }) {
      if (!deps.trustlessWork)
        throw new AppError('PROVIDER_ERROR', 'Trustless Work is not configured (TRUSTLESS_WORK_API_KEY)', { provider: 'trustless_work' });
      const data = await reconcileEscrows(deps.database.pool, deps.trustlessWork);
      await auditRead(deps, actor, 'escrows', { escrows: data.escrows, drift: data.totals.drift, drifted: data.drifted.length });
      return { status: 200, body: { data } };
    },
  }),
];
