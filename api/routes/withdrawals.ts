import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { withdrawalStatuses } from '../../src/db/schema';
import { AppError } from '../../src/errors';
import { derivedId, isId } from '../../src/ids';
import { IDEMPOTENCY_WINDOWS, idempotentName, idempotentUpdateId, type IdempotentRequest } from '../../src/idempotency';
import { isPlatformAddress } from '../../src/withdrawals/own-wallets';
import { amountSchema, parseAmount, parseCurrency } from '../../src/money';
import { normalizeMemo, stellarDestinationSchema } from '../../src/withdrawals/destination';
import { airtmDestinationSchema, airtmPayoutRoutes, startAirtmPayout } from './airtm-payouts';
import { requireProvider } from './payment-providers';
import { startWithdrawalWorkflow } from './withdrawal-start';
import { withdrawalSchema } from './withdrawal-schema';
import { renderWithdrawal } from '../../src/withdrawals/render';
import { findWithdrawal, listWithdrawals } from '../../src/withdrawals/withdrawals-repository';
import { withdrawalWorkflowId } from '../../workflows/ids';
import { commitWithdrawal, type WithdrawalRequest } from '../../workflows/messages/withdrawal';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';
import { requireUser } from './users';

/**
 * A withdrawal to one of our own accounts (a user's deposit address, the platform account) is refused: paid on chain
 * it would come back as a deposit credited to that user (or vanish into the platform's account) while the ledger
 * booked it as money that left; custody and the ledger would disagree, and the ledger would move money between
 * users without an order.
 */
async function refuseOwnWallet(deps: ApiDeps, address: string): Promise<void> {
  if (await isPlatformAddress(deps.database.pool, deps.stellar.platform.publicKey(), address))
    throw new AppError('VALIDATION_ERROR', 'Withdrawals cannot go to an account of this platform', {
      fields: [{ field: 'body.destination.address', code: 'own_wallet', message: 'an account held by this platform' }],
    });
}

/**
 * Transition (remove 24 h after every API runs this code): a withdrawal started by an earlier version was named
 * `wd_` of (API key, Idempotency-Key) alone. A request of that version that timed out (504 frees its key) and is
 * retried now must reach that withdrawal, never start a second payment: within the key's 24 h, that workflow answers.
 */
async function startedBeforeDerivation(deps: ApiDeps, idempotent: IdempotentRequest): Promise<string | null> {
  const legacyId = derivedId('wd', `${idempotent.principal}:${idempotent.key}`);
  try {
    const d = await callWorkflow(deps, (client) => client.workflow.getHandle(withdrawalWorkflowId(legacyId)).describe());
    return Date.now() - d.startTime.getTime() < IDEMPOTENCY_WINDOWS['24h'] ? legacyId : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

export const withdrawalRoutes = [
  ...airtmPayoutRoutes,
  defineRoute({
    method: 'post',
    path: '/withdrawals',
    tag: 'Withdrawals',
    summary: 'Withdraw USDC to a Stellar address, or USD to an Airtm account',
    description:
      'The amount moves from available to in flight at once (422 INSUFFICIENT_FUNDS otherwise), then a workflow pays it and settles: WITHDRAWAL_COMPLETED, or WITHDRAWAL_FAILED with the result code and the funds back in available. Idempotency-Key is required; 5 withdrawals a minute per user (replays, duplicates in progress and refusals of the request itself do not count). ' +
      '`destination.type: "stellar"` (PAYMENT_PROVIDER crypto): paid on Stellar at once; a destination held by this platform (a user’s deposit address, the platform account) is refused. ' +
      '`destination.type: "airtm"` (PAYMENT_PROVIDER airtm): an Airtm payout, whole cents; created uncommitted (WITHDRAWAL_AWAITING_COMMIT, sent by POST /withdrawals/{id}/commit, or cancelled by POST /withdrawals/{id}/cancel) unless `commit: true`; WITHDRAWAL_AWAITING_RECIPIENT while Airtm waits for its recipient to sign up or verify; WITHDRAWAL_FAILED or WITHDRAWAL_CANCELED with Airtm’s reasonCode return the funds. ' +
      'A destination type this platform does not offer is 409 PROVIDER_NOT_ENABLED.',
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
      destination: z.discriminatedUnion('type', [stellarDestinationSchema, airtmDestinationSchema]),
      commit: z
        .boolean()
        .optional()
        .meta({ description: 'Airtm only: send the payout at once (default false: it waits for POST /withdrawals/{id}/commit)' }),
    }),
    responses: {
      201: { description: 'Committed: funds held, payment under way', schema: z.object({ data: withdrawalSchema }) },
      400: {
        description:
          'VALIDATION_ERROR: e.g. body.destination.address `own_wallet` (an account of this platform), body.amount `not_whole_cents` (Airtm), body.commit for a Stellar destination',
      },
      409: { description: 'PROVIDER_NOT_ENABLED: the destination’s rail is not enabled here (details.provider, details.enabled)' },
      422: { description: 'INSUFFICIENT_FUNDS (details: available, requested)' },
      429: { description: 'RATE_LIMITED: the user’s 5 withdrawals a minute are spent; retry the same request after Retry-After' },
    },
    async handle({ body, deps, idempotent, actor }) {
      const destination = body.destination;
      requireProvider(deps, destination.type === 'airtm' ? 'airtm' : 'crypto');
      const user = await requireUser(deps.database.db, body.user_id);
      if (destination.type === 'airtm') {
        const view = await startAirtmPayout(deps, {
          userId: user.id,
          amount: body.amount,
          email: destination.email,
          commit: body.commit ?? false,
          idempotent: idempotent!,
          by: actor,
        });
        return { status: 201, body: { data: view } };
      }
      if (body.commit !== undefined)
        throw new AppError('VALIDATION_ERROR', 'A Stellar withdrawal is sent at once; `commit` is for Airtm payouts', {
          fields: [{ field: 'body.commit', code: 'unexpected', message: 'only for destination.type airtm' }],
        });
      await refuseOwnWallet(deps, destination.address);
      // The id (and so the workflow) is derived from the API key, the Idempotency-Key and the body: a retry finds its
      // withdrawal, and after the key's 24 h another body is another withdrawal, never the old one answered as new.
      const legacy = await startedBeforeDerivation(deps, idempotent!);
      const withdrawalId = legacy ?? derivedId('wd', idempotentName(idempotent!, 'withdrawal.create'));
      const request: WithdrawalRequest = {
        withdrawalId,
        userId: user.id,
        amountMinor: parseAmount(body.amount).toString(),
        currency: parseCurrency(body.currency) as 'USD',
        address: destination.address,
        memo: destination.memo === undefined ? null : normalizeMemo(destination.memo),
        by: actor,
      };
      const view = await startWithdrawalWorkflow(deps, {
        type: 'withdrawal',
        update: commitWithdrawal,
        updateId: legacy ? idempotent!.key : idempotentUpdateId(idempotent!, 'withdrawal.commit'),
        id: withdrawalId,
        userId: user.id,
        args: request,
      });
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
