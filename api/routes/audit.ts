import { z } from 'zod';
import { type AuditRow, listAudit } from '../../src/audit/audit-repository';
import { AppError } from '../../src/errors';
import { decodeSeqCursor, isoDate, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';

const RESOURCE_TYPES = ['order', 'dispute', 'withdrawal', 'deposit', 'api_key', 'reconciliation', 'topup', 'user'] as const;

const auditEntrySchema = z
  .object({
    id: z.number().int().meta({ description: 'Increases with every entry: the log’s order' }),
    occurred_at: z.string(),
    actor_type: z.enum(['api_key', 'master_key', 'operator', 'system']),
    actor_id: z.string().meta({
      description: 'The API key’s id (never its secret), `master`, `temporal:<identity>` of an operator’s signal, or `worker`',
    }),
    request_id: z.string().nullable().meta({ description: 'The request’s X-Request-ID; null for signals and the system' }),
    action: z.string().meta({ example: 'order.fund' }),
    resource_type: z.enum(RESOURCE_TYPES),
    resource_id: z.string(),
    status_before: z.string().nullable(),
    status_after: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

function renderEntry(e: AuditRow): z.infer<typeof auditEntrySchema> {
  return {
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    actor_type: e.actorType as z.infer<typeof auditEntrySchema>['actor_type'],
    actor_id: e.actorId,
    request_id: e.requestId,
    action: e.action,
    resource_type: e.resourceType as z.infer<typeof auditEntrySchema>['resource_type'],
    resource_id: e.resourceId,
    status_before: e.statusBefore,
    status_after: e.statusAfter,
    details: e.details as Record<string, unknown>,
  };
}

export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/audit/logs',
    tag: 'Support',
    summary: 'The audit log, newest first: every funding step, key change, dispute step, withdrawal and support action (support scope)',
    description:
      'Append-only: the database refuses to change or delete an entry. Each entry names who acted (the API key, the master key, an ' +
      'operator’s Temporal identity for a signal, or the system for timers and payouts), the request id, and the status before and after.',
    access: 'support',
    query: z.strictObject({
      ...pageQuery,
      action: z
        .string()
        .regex(/^[a-z_]+(\.[a-z_]+)+$/, 'an action such as order.fund')
        .max(100)
        .optional()
        .meta({ description: 'e.g. `order.fund`, `dispute.resolve`, `withdrawal.create`, `api_key.revoke`' }),
      resource_type: z.enum(RESOURCE_TYPES).optional(),
      resource_id: text(64).optional(),
      actor_id: text(200).optional().meta({ description: 'An API key id (`key_…`), `master`, `temporal:<identity>` or `worker`' }),
      request_id: text(128).optional().meta({ description: 'Everything one request did (its X-Request-ID)' }),
      from: isoDate.optional().meta({ description: 'Only entries at or after this time' }),
      to: isoDate.optional().meta({ description: 'Only entries at or before this time' }),
    }),
    responses: {
      200: { description: 'A page of entries', schema: z.object({ data: z.array(auditEntrySchema), pagination: paginationSchema }) },
      400: { description: 'VALIDATION_ERROR: an unknown filter or value, `from` after `to`, or a cursor this API did not issue' },
    },
    async handle({ query, deps }) {
      const from = query.from === undefined ? undefined : new Date(query.from);
      const to = query.to === undefined ? undefined : new Date(query.to);
      if (from && to && from > to)
        throw new AppError('VALIDATION_ERROR', '`from` must not be after `to`', {
          fields: [{ field: 'query.from', code: 'after_to', message: 'must not be after `to`' }],
        });
      const rows = await listAudit(
        deps.database.db,
        {
          action: query.action,
          resourceType: query.resource_type,
          resourceId: query.resource_id,
          actorId: query.actor_id,
          requestId: query.request_id,
          from,
          to,
        },
        { limit: query.limit, beforeId: decodeSeqCursor(query.cursor) },
      );
      return { status: 200, body: page(rows, query.limit, (e) => e.id, renderEntry) };
    },
  }),
];
