import { z } from 'zod';
import type { Actor } from '../../src/audit/actor';
import { AppError } from '../../src/errors';
import { derivedId, isId } from '../../src/ids';
import { idempotentName, idempotentUpdateId, type IdempotentRequest } from '../../src/idempotency';
import { parseAmount } from '../../src/money';
import { toAirtmAmount } from '../../src/providers/airtm/amounts';
import { renderWithdrawal, type WithdrawalView } from '../../src/withdrawals/render';
import { findWithdrawal, isFinalWithdrawal, type WithdrawalRow } from '../../src/withdrawals/withdrawals-repository';
import { airtmPayoutWorkflowId } from '../../workflows/ids';
import { cancelAirtmPayout, commitAirtmPayout, openAirtmPayout, type AirtmPayoutRequest } from '../../workflows/messages/airtm-payout';
import type { ApiDeps } from '../context';
import { defineRoute } from '../http/route';
import { callWorkflow } from '../temporal-calls';
import { requireProvider } from './payment-providers';
import { startWithdrawalWorkflow } from './withdrawal-start';
import { withdrawalSchema } from './withdrawal-schema';

export const airtmDestinationSchema = z
  .strictObject({
    type: z.literal('airtm'),
    email: z
      .email()
      .max(254)
      .meta({ description: 'The recipient’s Airtm email; one without an account gets the payout once its owner signs up' }),
  })
  .meta({ description: 'An Airtm payout (USD) to this Airtm user' });

/** Airtm takes whole cents of at least 0.01 (docs/airtm.md "Amounts"): anything else is refused before anything is held. */
function airtmAmount(amount: string): bigint {
  const minor = parseAmount(amount);
  try {
    toAirtmAmount(minor);
  } catch (err) {
    const reason = err instanceof AppError ? String(err.details.reason ?? 'invalid') : 'invalid';
    throw new AppError('VALIDATION_ERROR', 'An Airtm payout is whole cents of at least 0.01', {
      fields: [{ field: 'body.amount', code: reason, message: 'whole cents (at most 2 decimals), at least 0.01' }],
    });
  }
  return minor;
}

/**
 * POST /withdrawals to an Airtm destination: the `airtmPayout` workflow holds the amount, records the withdrawal and
 * creates the payout (committed at once when `commit`); the same derived id as a Stellar withdrawal, so a retried
 * request finds its payout.
 */
export async function startAirtmPayout(
  deps: ApiDeps,
  input: { userId: string; amount: string; email: string; commit: boolean; idempotent: IdempotentRequest; by: Actor },
): Promise<WithdrawalView> {
  const withdrawalId = derivedId('wd', idempotentName(input.idempotent, 'withdrawal.create'));
  const request: AirtmPayoutRequest = {
    withdrawalId,
    userId: input.userId,
    amountMinor: airtmAmount(input.amount).toString(),
    currency: 'USD',
    email: input.email,
    commit: input.commit,
    poll: { initialMs: deps.config.AIRTM_PAYOUT_POLL_INITIAL_MS, maxMs: deps.config.AIRTM_PAYOUT_POLL_MAX_MS },
    uncommittedTtlMs: deps.config.AIRTM_UNCOMMITTED_PAYOUT_TTL_MS,
    by: input.by,
  };
  return startWithdrawalWorkflow(deps, {
    type: 'airtmPayout',
    update: openAirtmPayout,
    updateId: idempotentUpdateId(input.idempotent, 'withdrawal.open'),
    id: withdrawalId,
    userId: input.userId,
    args: request,
  });
}

/** The Airtm withdrawal `id`, or 404 WITHDRAWAL_NOT_FOUND / 409 INVALID_STATE for a Stellar one. */
async function requireAirtmWithdrawal(deps: ApiDeps, id: string): Promise<WithdrawalRow> {
  const row = isId('wd', id) ? await findWithdrawal(deps.database.db, id) : null;
  if (!row) throw new AppError('WITHDRAWAL_NOT_FOUND', 'Withdrawal not found', { withdrawal_id: id });
  if (row.destinationType !== 'airtm')
    throw new AppError('INVALID_STATE', 'Only Airtm payouts are committed or cancelled; a Stellar withdrawal is sent at once', {
      withdrawal_id: id,
      destination_type: row.destinationType,
      current_status: row.status,
    });
  return row;
}

/**
 * Asks the payout's workflow (`commitPayout` / `cancelPayout`) unless the withdrawal is settled, whose workflow has
 * ended: then the settled status answers, as the workflow would have: a commit of a COMPLETED payout or a cancel of a
 * CANCELED one is answered as it is, anything else is 409 INVALID_STATE.
 */
async function askPayout(
  deps: ApiDeps,
  id: string,
  ask: typeof commitAirtmPayout,
  by: Actor,
  answersAsIs: string,
): Promise<WithdrawalView> {
  requireProvider(deps, 'airtm');
  const settled = async (row: WithdrawalRow) => {
    if (row.status === answersAsIs) return renderWithdrawal(row);
    throw new AppError(
      'INVALID_STATE',
      `A withdrawal in ${row.status} cannot be ${ask === commitAirtmPayout ? 'committed' : 'cancelled'}`,
      {
        withdrawal_id: id,
        current_status: row.status,
      },
    );
  };
  const row = await requireAirtmWithdrawal(deps, id);
  if (isFinalWithdrawal(row.status)) return settled(row);
  try {
    return await callWorkflow(deps, (client) => client.workflow.getHandle(airtmPayoutWorkflowId(id)).executeUpdate(ask, { args: [by] }));
  } catch (err) {
    // The workflow ended between the read and the update: the settled row answers.
    const now = err instanceof AppError ? null : await findWithdrawal(deps.database.db, id);
    if (now && isFinalWithdrawal(now.status)) return settled(now);
    throw err;
  }
}

const params = z.strictObject({ id: z.string().max(64) });
const answer = z.object({ data: withdrawalSchema });

export const airtmPayoutRoutes = [
  defineRoute({
    method: 'post',
    path: '/withdrawals/:id/commit',
    tag: 'Withdrawals',
    summary: 'Send an uncommitted Airtm payout',
    description:
      'Commits the Airtm payout of a withdrawal created with `commit: false` (WITHDRAWAL_AWAITING_COMMIT): it becomes WITHDRAWAL_PENDING, then WITHDRAWAL_COMPLETED, or WITHDRAWAL_AWAITING_RECIPIENT while Airtm waits for a recipient to sign up or verify. Committing a committed payout answers it as it is; a failed or cancelled one is 409 INVALID_STATE.',
    access: 'write',
    idempotency: { window: '24h' },
    params,
    responses: {
      200: { description: 'Committed (or already committed): the withdrawal', schema: answer },
      404: { description: 'WITHDRAWAL_NOT_FOUND' },
      409: { description: 'INVALID_STATE (a Stellar withdrawal, or one failed or cancelled before its commit); PROVIDER_NOT_ENABLED' },
      502: { description: 'PROVIDER_ERROR: Airtm refused or did not answer; the payout is unchanged (retry, or cancel it)' },
    },
    async handle({ params: p, deps, actor }) {
      return { status: 200, body: { data: await askPayout(deps, p.id, commitAirtmPayout, actor, 'WITHDRAWAL_COMPLETED') } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/withdrawals/:id/cancel',
    tag: 'Withdrawals',
    summary: 'Cancel an Airtm payout not delivered yet',
    description:
      'Cancels the Airtm payout of a withdrawal that is WITHDRAWAL_AWAITING_COMMIT (never sent) or WITHDRAWAL_AWAITING_RECIPIENT (its recipient has not signed up or verified): the hold goes back to available and the withdrawal is WITHDRAWAL_CANCELED. Cancelling a cancelled one answers it as it is; any other status is 409 INVALID_STATE.',
    access: 'write',
    idempotency: { window: '24h' },
    params,
    responses: {
      200: { description: 'Cancelled: the withdrawal, its amount back in available', schema: answer },
      404: { description: 'WITHDRAWAL_NOT_FOUND' },
      409: { description: 'INVALID_STATE (details.status, details.cancellable); PROVIDER_NOT_ENABLED' },
      502: { description: 'PROVIDER_ERROR: Airtm did not answer; nothing changed' },
    },
    async handle({ params: p, deps, actor }) {
      return { status: 200, body: { data: await askPayout(deps, p.id, cancelAirtmPayout, actor, 'WITHDRAWAL_CANCELED') } };
    },
  }),
];
