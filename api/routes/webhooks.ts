import { z } from 'zod';
import { AppError } from '../../src/errors';
import { formatEventId } from '../../src/events/event-id';
import { latestEventId } from '../../src/events/events-repository';
import { derivedId, isId, newId } from '../../src/ids';
import { idempotentName, type IdempotentRequest } from '../../src/idempotency';
import { startWebhookDelivery } from '../../src/webhooks/delivery-workflow';
import { renderDelivery, renderEndpoint } from '../../src/webhooks/render';
import { newWebhookSecret } from '../../src/webhooks/signing';
import { DELIVERY_PREFIX, ENDPOINT_PREFIX, secretBinding, webhookRedeliveryWorkflowId } from '../../src/webhooks/webhook-ids';
import {
  deleteEndpoint,
  findDelivery,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  rotateEndpointSecret,
} from '../../src/webhooks/webhooks-repository';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { webhookRedelivery } from '../../workflows/webhook-delivery';
import { decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';
import {
  deliverySchema,
  endpointSchema,
  endpointWithSecretSchema,
  eventFilterSchema,
  requireAllowedUrl,
  requireEndpoint,
  stopDelivery,
} from './webhook-views';

const idParams = z.strictObject({ id: z.string().max(64) });
const NOT_FOUND = { description: 'WEBHOOK_NOT_FOUND (also for an endpoint of another API key)' };

/** A new row's id: derived from the Idempotency-Key when there is one, so a retried request names the same row. */
function rowId(prefix: string, idempotent: IdempotentRequest | undefined, operation: string): string {
  return idempotent ? derivedId(prefix, idempotentName(idempotent, operation)) : newId(prefix);
}

async function createEndpoint(deps: ApiDeps, owner: string, id: string, body: { url: string; events: string[]; description?: string }) {
  await requireAllowedUrl(deps, body.url);
  const secret = newWebhookSecret();
  const row = await insertEndpoint(deps.database.db, {
    id,
    owner,
    url: body.url,
    eventTypes: body.events,
    description: body.description ?? null,
    secretSealed: deps.walletBox.seal(secret, secretBinding(id)),
    cursor: await latestEventId(deps.database.db),
  });
  if (!row) throw new AppError('INVALID_STATE', 'This Idempotency-Key names another key’s endpoint'); // a derived id cannot collide
  try {
    await callWorkflow(deps, (client) => startWebhookDelivery(client, deps.config, deps.config.TEMPORAL_TASK_QUEUE, id));
  } catch (err) {
    await deleteEndpoint(deps.database.db, id, owner); // nothing would deliver to it: the request failed as a whole
    throw err;
  }
  return { ...renderEndpoint(row), secret };
}

export const webhookRoutes = [
  defineRoute({
    method: 'post',
    path: '/webhooks',
    tag: 'Webhooks',
    summary: 'Register a webhook endpoint; its signing secret is shown once',
    description:
      'Events committed from now on whose type matches `events` are POSTed to `url` one at a time in the order of their ids, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). A failed delivery is retried immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (later events wait); `Retry-After` on 429/503 is honoured; a 410, or an event that fails every attempt, disables the endpoint. Only https URLs that resolve to public addresses, unless the deployment allows insecure URLs.',
    access: 'write',
    idempotency: { window: '24h', sealed: true },
    body: z.strictObject({
      url: z.string().max(2048),
      events: eventFilterSchema,
      description: text(500).optional(),
    }),
    responses: {
      201: { description: 'The endpoint, with `secret` (never shown again)', schema: z.object({ data: endpointWithSecretSchema }) },
      400: {
        description: 'VALIDATION_ERROR: body.url `https_required`, `internal_address`, `unresolvable`, `credentials_in_url`, `invalid_url`',
      },
    },
    async handle({ body, deps, principal, idempotent }) {
      const endpoint = await createEndpoint(deps, principal!.id, rowId(ENDPOINT_PREFIX, idempotent, 'webhook.create'), body);
      return { status: 201, body: { data: endpoint } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/webhooks',
    tag: 'Webhooks',
    summary: 'List this API key’s webhook endpoints, newest first',
    access: 'read',
    query: z.strictObject(pageQuery),
    responses: {
      200: { description: 'A page of endpoints', schema: z.object({ data: z.array(endpointSchema), pagination: paginationSchema }) },
    },
    async handle({ query, deps, principal }) {
      const rows = await listEndpoints(deps.database.db, principal!.id, { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) });
      return {
        status: 200,
        body: page(
          rows,
          query.limit,
          (e) => e.seq,
          (e) => renderEndpoint(e),
        ),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/webhooks/:id',
    tag: 'Webhooks',
    summary: 'Get a webhook endpoint (its status, and why it was disabled)',
    access: 'read',
    params: idParams,
    responses: { 200: { description: 'The endpoint', schema: z.object({ data: endpointSchema }) }, 404: NOT_FOUND },
    async handle({ params, deps, principal }) {
      return { status: 200, body: { data: renderEndpoint(await requireEndpoint(deps, params.id, principal!.id)) } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/webhooks/:id',
    tag: 'Webhooks',
    summary: 'Delete a webhook endpoint; its deliveries stop',
    access: 'write',
    params: idParams,
    responses: {
      200: { description: 'Deleted', schema: z.object({ data: z.object({ id: z.string(), deleted: z.literal(true) }) }) },
      404: NOT_FOUND,
    },
    async handle({ params, deps, principal }) {
      const endpoint = await requireEndpoint(deps, params.id, principal!.id);
      if (!(await deleteEndpoint(deps.database.db, endpoint.id, principal!.id)))
        throw new AppError('WEBHOOK_NOT_FOUND', 'Webhook endpoint not found', { webhook_id: params.id });
      await stopDelivery(deps, endpoint.id);
      return { status: 200, body: { data: { id: endpoint.id, deleted: true } } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/webhooks/:id/rotate-secret',
    tag: 'Webhooks',
    summary: 'Rotate the signing secret; the previous one keeps signing for 24 hours',
    description:
      'Until `previous_secret_expires_at`, every delivery carries two signatures (space-separated in `webhook-signature`): one with the new secret, one with the previous. A second rotation within that time drops the oldest secret.',
    access: 'write',
    idempotency: { window: '24h', sealed: true },
    params: idParams,
    responses: {
      200: { description: 'The endpoint with its new `secret` (never shown again)', schema: z.object({ data: endpointWithSecretSchema }) },
      404: NOT_FOUND,
    },
    async handle({ params, deps, principal }) {
      const endpoint = await requireEndpoint(deps, params.id, principal!.id);
      const secret = newWebhookSecret();
      const expires = new Date(Date.now() + deps.config.WEBHOOK_SECRET_OVERLAP_MS);
      const row = await rotateEndpointSecret(
        deps.database.db,
        endpoint.id,
        principal!.id,
        deps.walletBox.seal(secret, secretBinding(endpoint.id)),
        expires,
      );
      if (!row) throw new AppError('WEBHOOK_NOT_FOUND', 'Webhook endpoint not found', { webhook_id: params.id });
      return { status: 200, body: { data: { ...renderEndpoint(row), secret } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/webhooks/:id/deliveries',
    tag: 'Webhooks',
    summary: 'List delivery attempts of an endpoint, newest first, with their status and latency',
    access: 'read',
    params: idParams,
    query: z.strictObject(pageQuery),
    responses: {
      200: { description: 'A page of attempts', schema: z.object({ data: z.array(deliverySchema), pagination: paginationSchema }) },
      404: NOT_FOUND,
    },
    async handle({ params, query, deps, principal }) {
      const endpoint = await requireEndpoint(deps, params.id, principal!.id);
      const rows = await listDeliveries(deps.database.db, endpoint.id, { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) });
      return { status: 200, body: page(rows, query.limit, (d) => d.seq, renderDelivery) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/webhooks/:id/deliveries/:delivery_id/retry',
    tag: 'Webhooks',
    summary: 'Deliver that attempt’s event again, now (a new attempt)',
    description:
      'One new attempt, signed afresh, whatever came before: also an event that was delivered already (that is the caller’s choice; receivers deduplicate on `webhook-id`). It does not change the endpoint’s schedule, except that a 2xx for the event the endpoint is retrying counts as its delivery and a 410 disables the endpoint.',
    access: 'write',
    idempotency: { window: '24h' },
    params: z.strictObject({ id: z.string().max(64), delivery_id: z.string().max(64) }),
    responses: {
      201: { description: 'The new attempt', schema: z.object({ data: deliverySchema }) },
      404: { description: 'WEBHOOK_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND' },
      409: { description: 'INVALID_STATE: the endpoint is disabled, or the event has left the log (retention)' },
    },
    async handle({ params, deps, principal, idempotent }) {
      const endpoint = await requireEndpoint(deps, params.id, principal!.id);
      const original = isId(DELIVERY_PREFIX, params.delivery_id)
        ? await findDelivery(deps.database.db, params.delivery_id, endpoint.id)
        : null;
      if (!original) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', 'Delivery not found', { delivery_id: params.delivery_id });
      if (endpoint.status !== 'active') throw new AppError('INVALID_STATE', 'The endpoint is disabled', { status: endpoint.status });
      const deliveryId = rowId(DELIVERY_PREFIX, idempotent, 'webhook.redeliver');
      const view = await callWorkflow(deps, (client) =>
        client.workflow.execute<typeof webhookRedelivery>('webhookRedelivery', {
          workflowId: webhookRedeliveryWorkflowId(deliveryId),
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          args: [{ endpointId: endpoint.id, eventId: formatEventId(original.eventId), deliveryId }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        }),
      );
      if (!view)
        throw new AppError('INVALID_STATE', 'The endpoint is disabled or the event has left the log', { delivery_id: params.delivery_id });
      return { status: 201, body: { data: view } };
    },
  }),
];
