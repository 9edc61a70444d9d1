import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { ENDPOINT_PREFIX, webhookWorkflowId } from '../../src/webhooks/webhook-ids';
import { checkWebhookUrl, UrlPolicyError } from '../../src/webhooks/url-policy';
import { type EndpointRow, findEndpoint } from '../../src/webhooks/webhooks-repository';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';

/** The schemas and lookups of the webhook routes (api/routes/webhooks.ts). */
export const endpointSchema = z
  .object({
    id: z.string().meta({ description: '`whk_…`' }),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    disabled_reason: z
      .string()
      .nullable()
      .meta({ description: 'Why deliveries stopped: a 410 Gone, or an event that failed every attempt' }),
    previous_secret_expires_at: z
      .string()
      .nullable()
      .meta({ description: 'After a rotation: until then deliveries are also signed with the previous secret' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const endpointWithSecretSchema = endpointSchema.extend({
  secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown in this answer only', example: 'whsec_…' }),
});

export const deliverySchema = z
  .object({
    id: z.string().meta({ description: '`whd_…`' }),
    webhook_id: z.string(),
    event_id: z.string().meta({ description: 'The `evt_…` delivered (also the `webhook-id` header)' }),
    attempt: z.number().int(),
    manual: z.boolean().meta({ description: 'A redelivery asked for through …/retry' }),
    status_code: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The receiver’s HTTP status; null when none came (timeout, connection, URL policy)' }),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
    next_attempt_at: z.string().nullable().meta({ description: 'When this event is tried again (null: delivered, manual, or given up)' }),
    created_at: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

/** `events`: exact types (`deposit.credited`), prefix wildcards (`order.*`), or `*` for every event. */
export const eventFilterSchema = z
  .array(
    z
      .string()
      .max(100)
      .regex(/^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/, 'an event type, a prefix wildcard like order.*, or *'),
  )
  .min(1)
  .max(50)
  .refine((e) => new Set(e).size === e.length, 'filters must not repeat');

/** The caller's endpoint, or 404 (another key's endpoint is as absent as one that never existed). */
export async function requireEndpoint(deps: ApiDeps, id: string, owner: string): Promise<EndpointRow> {
  const row = isId(ENDPOINT_PREFIX, id) ? await findEndpoint(deps.database.db, id, owner) : null;
  if (!row) throw new AppError('WEBHOOK_NOT_FOUND', 'Webhook endpoint not found', { webhook_id: id });
  return row;
}

/** 400 VALIDATION_ERROR naming the rule, for a URL the policy refuses (https, internal addresses after DNS). */
export async function requireAllowedUrl(deps: ApiDeps, url: string): Promise<void> {
  try {
    await checkWebhookUrl(url, deps.config.WEBHOOKS_ALLOW_INSECURE_URLS);
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw err;
    throw new AppError('VALIDATION_ERROR', 'This webhook URL is not allowed', {
      fields: [{ field: 'body.url', code: err.code, message: err.message }],
    });
  }
}

/**
 * Stops a deleted endpoint's workflow now rather than at its next step (it may be sleeping hours between retries).
 * Best effort, and safe to miss: every step of that workflow reads the endpoint first and ends once it is deleted.
 */
export async function stopDelivery(deps: ApiDeps, endpointId: string): Promise<void> {
  try {
    await callWorkflow(deps, (client) => client.workflow.getHandle(webhookWorkflowId(endpointId)).cancel());
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError))
      deps.logger.warn({ err, endpointId }, 'webhook delivery not cancelled; it ends at its next step');
  }
}
