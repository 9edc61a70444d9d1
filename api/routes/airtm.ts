import { z } from 'zod';
import { findAirtmLink, upsertAirtmLink } from '../../src/airtm/links-repository';
import { markInboxEntry, storeInboxEntry } from '../../src/airtm/inbox-repository';
import { AppError } from '../../src/errors';
import { AirtmRefusal } from '../../src/providers/airtm/client';
import { AirtmWebhookRejected, type AirtmWebhookEvent } from '../../src/providers/airtm/webhooks';
import { routeOf, type AirtmResourceRef } from '../airtm/dispatch';
import type { ApiDeps } from '../context';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import type { RawBodyRequest } from '../middleware/json-body';
import { requireProvider } from './payment-providers';
import { requireUser, userIdParams } from './users';

const linkSchema = z
  .object({
    user_id: z.string(),
    email: z.string(),
    airtm_user_id: z.string(),
    verified: z.boolean().meta({ description: 'Whether Airtm had verified the account’s identity (KYC) when it was linked' }),
    linked_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'AirtmLink' });

const renderLink = (l: NonNullable<Awaited<ReturnType<typeof findAirtmLink>>>) => ({
  user_id: l.userId,
  email: l.email,
  airtm_user_id: l.airtmUserId,
  verified: l.verified,
  linked_at: l.linkedAt.toISOString(),
  updated_at: l.updatedAt.toISOString(),
});

/** Airtm's client: 409 PROVIDER_NOT_ENABLED when PAYMENT_PROVIDER leaves Airtm out, 503 when it is not configured. */
export function requireAirtm(deps: ApiDeps): NonNullable<ApiDeps['airtm']> {
  requireProvider(deps, 'airtm');
  if (!deps.airtm) throw new AppError('SERVICE_UNAVAILABLE', 'Airtm is not configured on this deployment', { provider: 'airtm' });
  return deps.airtm;
}

/** Airtm's account for `email` (GET /users/{email}): 400 when Airtm has none or it is inactive, 502 when Airtm fails. */
async function checkAirtmAccount(deps: ApiDeps, email: string) {
  const refuse = (code: string, message: string) =>
    new AppError('VALIDATION_ERROR', message, { fields: [{ field: 'body.email', code, message }] });
  try {
    const account = await requireAirtm(deps).client.getUser(email);
    if (account.status !== 'active') throw refuse('airtm_account_inactive', 'this Airtm account is not active');
    return account;
  } catch (err) {
    if (err instanceof AirtmRefusal && (err.status === 404 || err.code === '415059' || err.code === '415902'))
      throw refuse('airtm_account_not_found', 'Airtm has no account with this email');
    if (err instanceof AppError) throw err;
    throw new AppError('PROVIDER_ERROR', 'Airtm could not check the account; retry later', { provider: 'airtm' });
  }
}

export const airtmRoutes = [
  defineRoute({
    method: 'post',
    path: '/users/:id/airtm/link',
    tag: 'Top-ups',
    summary: 'Link the user’s Airtm account',
    description:
      'Checked against Airtm (`GET /users/{email}` of the Enterprise API): the account must exist and be active. Linking again replaces the link. Top-ups need a linked account.',
    access: 'write',
    idempotency: { window: '24h' },
    params: userIdParams,
    body: z.strictObject({ email: z.email().max(320) }),
    responses: {
      200: { description: 'Linked', schema: z.object({ data: linkSchema }) },
      400: { description: 'VALIDATION_ERROR: body.email `airtm_account_not_found` or `airtm_account_inactive`' },
      502: { description: 'PROVIDER_ERROR: Airtm could not be asked' },
    },
    async handle({ params, body, deps, actor, requestId }) {
      const user = await requireUser(deps.database.db, params.id);
      const email = body.email.trim().toLowerCase();
      const account = await checkAirtmAccount(deps, email);
      const link = await upsertAirtmLink(
        deps.database.db,
        { userId: user.id, email, airtmUserId: account.id, verified: account.isVerified },
        actor,
        requestId,
      );
      return { status: 200, body: { data: renderLink(link) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id/airtm',
    tag: 'Top-ups',
    summary: 'The user’s linked Airtm account',
    access: 'read',
    params: userIdParams,
    responses: {
      200: { description: 'The link', schema: z.object({ data: linkSchema }) },
      404: { description: 'USER_NOT_FOUND, or NOT_FOUND when no account is linked' },
    },
    async handle({ params, deps }) {
      const user = await requireUser(deps.database.db, params.id);
      const link = await findAirtmLink(deps.database.db, user.id);
      if (!link) throw new AppError('NOT_FOUND', 'No Airtm account is linked to this user', { user_id: user.id });
      return { status: 200, body: { data: renderLink(link) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/webhooks/airtm',
    tag: 'Top-ups',
    summary: 'Airtm’s webhooks (called by Airtm, not by you)',
    description:
      'Authenticated by its Svix signature (`svix-id`, `svix-timestamp`, `svix-signature` over the raw body, `AIRTM_WEBHOOK_SECRET`; five minutes of clock skew), not by an API key. A missing, wrong or stale signature is 401 and nothing is stored. Every accepted event is stored raw, once per `svix-id` (a redelivery is acknowledged and dropped), and signalled to the workflow it belongs to; an event about nothing known is kept for reconciliation.',
    access: 'public',
    body: z.unknown(),
    responses: {
      200: {
        description: 'Accepted (or a redelivery, dropped)',
        schema: z.object({ data: z.object({ svix_id: z.string(), duplicate: z.boolean(), matched: z.boolean() }) }),
      },
      401: {
        description:
          'UNAUTHORIZED: details.reason `missing_headers`, `bad_signature`, `stale_or_future`, `malformed_body` or `airtm_not_configured`',
      },
      503: { description: 'SERVICE_UNAVAILABLE: the workflow could not be told (Airtm retries)' },
    },
    async handle({ deps, req }) {
      const event = verified(deps, req as RawBodyRequest);
      const data = (event.data ?? {}) as AirtmResourceRef;
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      const { row, isNew } = await storeInboxEntry(deps.database.db, {
        svixId: event.svixId,
        type: event.type,
        airtmId: text(data.id),
        code: text(data.code),
        rawBody: (req as RawBodyRequest).rawBody!.toString('utf8'),
        sentAt: new Date(event.timestamp * 1000),
        data: event.data,
      });
      if (!isNew && row.signaledAt)
        return { status: 200, body: { data: { svix_id: event.svixId, duplicate: true, matched: row.target !== null } } };
      const route = routeOf(event.type);
      const target = route && event.known ? await route.target(deps, data) : null;
      if (target) await route!.signal(deps, target, event);
      await markInboxEntry(deps.database.db, event.svixId, target);
      return { status: 200, body: { data: { svix_id: event.svixId, duplicate: !isNew, matched: target !== null } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/airtm/return',
    tag: 'Top-ups',
    summary: 'Where Airtm’s hosted page sends the browser back (AIRTM_RETURN_URL by default)',
    description:
      'Answers what the browser was sent back with, and nothing else: the return is never proof of payment. The top-up’s status (GET /topups/{id}) follows Airtm’s webhook or its own answer.',
    access: 'public',
    query: z.strictObject({ topup_id: text(64).optional(), outcome: text(32).optional(), code: text(64).optional() }),
    responses: {
      200: {
        description: 'Noted',
        schema: z.object({ data: z.object({ topup_id: z.string().nullable(), outcome: z.string().nullable(), note: z.string() }) }),
      },
    },
    async handle({ query }) {
      return {
        status: 200,
        body: {
          data: {
            topup_id: query.topup_id ?? query.code ?? null,
            outcome: query.outcome ?? null,
            note: 'Returned from Airtm. This is not proof of payment: the top-up’s status shows the outcome.',
          },
        },
      };
    },
  }),
];

/** The delivery's verified event, or 401 (the error envelope; nothing has been stored). */
function verified(deps: ApiDeps, req: RawBodyRequest): AirtmWebhookEvent {
  // Without Airtm configured there is no secret any delivery could verify with: unauthenticated, like a bad signature.
  if (!deps.airtm) throw new AppError('UNAUTHORIZED', 'Airtm is not configured on this deployment', { reason: 'airtm_not_configured' });
  try {
    return deps.airtm.webhooks.verify(req.rawBody ?? '', req.headers);
  } catch (err) {
    if (err instanceof AirtmWebhookRejected)
      throw new AppError('UNAUTHORIZED', 'The Airtm webhook signature did not verify', { reason: err.reason });
    throw err;
  }
}
