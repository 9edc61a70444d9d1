import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { z } from 'zod';
import { findAirtmLink } from '../../src/airtm/links-repository';
import { topupStatuses } from '../../src/db/schema';
import { AppError } from '../../src/errors';
import { derivedId, isId } from '../../src/ids';
import { idempotentName, idempotentUpdateId } from '../../src/idempotency';
import { amountSchema, parseAmount } from '../../src/money';
import { CENT } from '../../src/providers/airtm/amounts';
import { TopupStatusKey, UserIdKey } from '../../src/temporal/search-attributes';
import { renderTopup } from '../../src/topups/render';
import type { TopupRequest } from '../../src/topups/request';
import { CANCELLABLE_TOPUP_STATUSES } from '../../src/topups/topup-state';
import { findTopup, listTopups, type TopupRow } from '../../src/topups/topups-repository';
import { topupWorkflowId } from '../../workflows/ids';
import { cancelTopup, openTopup } from '../../workflows/messages/topup';
import type { ApiDeps } from '../context';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import { callWorkflow } from '../temporal-calls';
import { requireAirtm } from './airtm';
import { auditRead } from './reconciliation';
import { reconcileTreasury } from '../../src/reconciliation/treasury';
import { treasuryAddress } from '../../src/treasury/treasury';
import { requireUser } from './users';

const topupSchema = z
  .object({
    id: z.string().meta({ example: 'topup_01jd3k8v2m4x7q9r5t6w8y0z2a' }),
    user_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(topupStatuses),
    confirmation_url: z
      .string()
      .nullable()
      .meta({ description: 'Airtm’s hosted payment page: send the user there to confirm (or cancel) the payment' }),
    airtm_payin_id: z.string().nullable(),
    payer_email: z.string().nullable().meta({ description: 'The Airtm account that paid, once Airtm says' }),
    failure_reason: z.string().nullable(),
    delivery_tx_hash: z
      .string()
      .nullable()
      .meta({ description: 'The treasury’s USDC payment into the user’s Stellar wallet, once credited (what backs the balance on chain)' }),
    expires_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'Topup' });

const topupIdParams = z.strictObject({ id: z.string().max(64) });

async function requireTopup(deps: ApiDeps, id: string): Promise<TopupRow> {
  const row = isId('topup', id) ? await findTopup(deps.database.db, id) : null;
  if (!row) throw new AppError('TOPUP_NOT_FOUND', 'Top-up not found', { topup_id: id });
  return row;
}

/** Airtm takes whole cents, at least 0.01 (docs/airtm.md, "Amounts"). */
function topupAmount(amount: string): bigint {
  const minor = parseAmount(amount);
  if (minor % CENT !== 0n)
    throw new AppError('VALIDATION_ERROR', 'Top-ups are in whole cents (at most 2 decimals)', {
      fields: [{ field: 'body.amount', code: 'not_whole_cents', message: 'at most 2 decimals' }],
    });
  return minor;
}

const treasuryReportSchema = z.object({
  checked_at: z.string(),
  ledger: z.object({
    airtm_clearing: z.string(),
    net_in_through_airtm: z.string(),
    delivered_to_wallets: z.string(),
    returned_from_wallets: z.string(),
    held_off_chain: z.string().meta({
      description: 'What came in through Airtm and is not in users’ wallets: Airtm’s balance and the treasury must hold at least this',
    }),
  }),
  treasury: z.object({
    address: z.string(),
    float: z.string().nullable(),
    owed_on_chain: z.string(),
    owed_top_ups: z.number(),
    owed_by_wallets: z
      .string()
      .meta({ description: 'Completed Airtm payouts whose USDC has not yet come back from the wallet to the treasury' }),
    unswept_payouts: z.number(),
    low_float_threshold: z.string(),
    status: z.enum(['ok', 'low', 'short']),
  }),
  airtm: z.object({ available: z.string(), pending: z.string() }).nullable(),
  unmatched_webhooks: z.array(
    z.object({
      svix_id: z.string(),
      type: z.string(),
      airtm_id: z.string().nullable(),
      code: z.string().nullable(),
      received_at: z.string(),
    }),
  ),
  problems: z.array(z.string()),
});

/** Support's view of the treasury that puts top-ups on chain (src/reconciliation/treasury.ts). */
const treasuryReportRoute = defineRoute({
  method: 'get',
  path: '/reconciliation/topups',
  tag: 'Support',
  summary: 'Top-ups: the treasury’s USDC float, what credited top-ups owe on chain, Airtm’s balance, unmatched webhooks (support scope)',
  description:
    'treasury.status `low` (below TREASURY_LOW_FLOAT: refill from Airtm before deliveries wait) or `short` (credited top-ups wait for their USDC, and escrows funded from them would fail). docs/airtm.md, "Treasury".',
  access: 'support',
  responses: {
    200: { description: 'The report', schema: z.object({ data: treasuryReportSchema }) },
    503: { description: 'SERVICE_UNAVAILABLE: TREASURY_PUBLIC_KEY is not set on this API' },
  },
  async handle({ deps, actor }) {
    const treasury = deps.config.TREASURY_PUBLIC_KEY ?? treasuryAddress(deps.stellar.platform);
    if (!treasury) throw new AppError('SERVICE_UNAVAILABLE', 'TREASURY_PUBLIC_KEY is not set on this API');
    const data = await reconcileTreasury({
      pool: deps.database.pool,
      db: deps.database.db,
      network: deps.stellar,
      treasury,
      airtm: deps.airtm?.client ?? null,
      lowFloat: deps.config.TREASURY_LOW_FLOAT,
    });
    await auditRead(deps, actor, 'topups', { treasury_status: data.treasury.status, problems: data.problems.length });
    return { status: 200, body: { data } };
  },
});

export const topupRoutes = [
  defineRoute({
    method: 'post',
    path: '/topups',
    tag: 'Top-ups',
    summary: 'Top up a balance through Airtm',
    description:
      'Creates an Airtm pay-in and answers `confirmation_url`, Airtm’s hosted page where the user pays. The balance is credited once, when Airtm confirms the pay-in (its webhook, or its answer when asked); the browser’s return is never taken as proof. Needs a linked Airtm account (409 AIRTM_ACCOUNT_NOT_LINKED). Idempotency-Key is required; 10 top-ups a minute per user.',
    access: 'write',
    idempotency: { window: '24h', required: true },
    userRateLimit: {
      limit: 10,
      name: 'topups',
      userId: (b: { user_id?: unknown }) => (typeof b.user_id === 'string' ? b.user_id : undefined),
    },
    body: z.strictObject({
      user_id: text(64),
      amount: amountSchema.meta({ description: 'USD in whole cents, at least 0.01' }),
      currency: z.enum(['USD', 'USDC']).meta({ description: 'USD (Airtm’s only currency; USDC accepted as a synonym)' }),
    }),
    responses: {
      201: { description: 'The top-up, awaiting the user’s confirmation', schema: z.object({ data: topupSchema }) },
      400: { description: 'VALIDATION_ERROR: e.g. body.amount `not_whole_cents`' },
      409: { description: 'AIRTM_ACCOUNT_NOT_LINKED: details.hint says how to link one' },
      429: { description: 'RATE_LIMITED: the user’s 10 top-ups a minute are spent' },
    },
    async handle({ body, deps, idempotent, actor }) {
      const user = await requireUser(deps.database.db, body.user_id);
      requireAirtm(deps);
      const amount = topupAmount(body.amount);
      if (!(await findAirtmLink(deps.database.db, user.id)))
        throw new AppError('AIRTM_ACCOUNT_NOT_LINKED', 'This user has no linked Airtm account', {
          user_id: user.id,
          hint: `Link one first: POST /api/v1/users/${user.id}/airtm/link {"email": "<the user's Airtm email>"}`,
        });
      const topupId = derivedId('topup', idempotentName(idempotent!, 'topup.create'));
      const request: TopupRequest = {
        topupId,
        userId: user.id,
        amountMinor: amount.toString(),
        currency: 'USD',
        returnUrl: deps.config.AIRTM_RETURN_URL,
        pollInitialMs: deps.config.TOPUP_POLL_INITIAL_MS,
        pollMaxMs: deps.config.TOPUP_POLL_MAX_MS,
        expiryMs: deps.config.TOPUP_EXPIRY_MS,
        by: actor,
      };
      const view = await callWorkflow(deps, (client) =>
        client.workflow.executeUpdateWithStart(openTopup, {
          updateId: idempotentUpdateId(idempotent!, 'topup.open'),
          startWorkflowOperation: new WithStartWorkflowOperation('topup', {
            workflowId: topupWorkflowId(topupId),
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            args: [request],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            typedSearchAttributes: [
              { key: UserIdKey, value: user.id },
              { key: TopupStatusKey, value: 'TOPUP_CREATED' },
            ],
          }),
        }),
      );
      return { status: 201, body: { data: view } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/topups/:id',
    tag: 'Top-ups',
    summary: 'Get a top-up',
    access: 'read',
    params: topupIdParams,
    responses: {
      200: { description: 'The top-up', schema: z.object({ data: topupSchema }) },
      404: { description: 'TOPUP_NOT_FOUND' },
    },
    async handle({ params, deps }) {
      return { status: 200, body: { data: renderTopup(await requireTopup(deps, params.id)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/topups',
    tag: 'Top-ups',
    summary: 'List top-ups, newest first',
    access: 'read',
    query: z.strictObject({
      ...pageQuery,
      user_id: text(64).optional(),
      status: z.enum(topupStatuses).optional(),
      ...createdQuery,
    }),
    responses: {
      200: { description: 'A page of top-ups', schema: z.object({ data: z.array(topupSchema), pagination: paginationSchema }) },
    },
    async handle({ query, deps }) {
      const rows = await listTopups(
        deps.database.db,
        { userId: query.user_id, status: query.status, ...createdRange(query) },
        { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) },
      );
      return { status: 200, body: page(rows, query.limit, (t) => t.seq, renderTopup) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/topups/:id/cancel',
    tag: 'Top-ups',
    summary: 'Cancel a top-up the user has not paid',
    description:
      'Cancels the Airtm pay-in (TOPUP_CANCELED). If the user paid meanwhile, Airtm refuses and the top-up follows the payment instead (it may answer TOPUP_SUCCEEDED). After payment: 409 INVALID_STATE.',
    access: 'write',
    idempotency: { window: '24h' },
    params: topupIdParams,
    responses: {
      200: { description: 'The top-up after the cancellation', schema: z.object({ data: topupSchema }) },
      404: { description: 'TOPUP_NOT_FOUND' },
      409: { description: 'INVALID_STATE: details.current_status, details.allowed_from' },
    },
    async handle({ params, deps, idempotent, actor }) {
      const row = await requireTopup(deps, params.id);
      if (!CANCELLABLE_TOPUP_STATUSES.includes(row.status))
        throw new AppError('INVALID_STATE', `A top-up can be cancelled only before the user pays; it is ${row.status}`, {
          current_status: row.status,
          allowed_from: CANCELLABLE_TOPUP_STATUSES,
        });
      const view = await callWorkflow(deps, (client) =>
        client.workflow.getHandle(topupWorkflowId(row.id)).executeUpdate(cancelTopup, {
          args: [actor],
          ...(idempotent ? { updateId: idempotentUpdateId(idempotent, 'topup.cancel') } : {}),
        }),
      );
      return { status: 200, body: { data: view } };
    },
  }),
  treasuryReportRoute,
];
