import { z } from 'zod';
import { SCOPES } from '../../src/auth/api-keys';
import { type ApiKeyRow, createApiKey, listApiKeys, revokeApiKey } from '../../src/auth/api-keys-repository';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { decodeIdCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { text } from '../http/validation';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key after `ohk_live_`, to recognise it; not a secret' }),
    scopes: z.array(z.enum(SCOPES)),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

function renderKey(k: ApiKeyRow): z.infer<typeof apiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as z.infer<typeof apiKeySchema>['scopes'],
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}

export const apiKeyRoutes = [
  defineRoute({
    method: 'post',
    path: '/auth/api-keys',
    tag: 'Auth',
    summary: 'Create an API key (master key only); the key is shown once',
    description:
      'A replay of this request under the same Idempotency-Key returns the same key: its stored response is sealed (AES-256-GCM) and purged after 24 hours.',
    access: 'master',
    idempotency: { window: '24h', sealed: true },
    body: z.strictObject({
      name: text(100),
      scopes: z
        .array(z.enum(SCOPES))
        .min(1)
        .max(SCOPES.length)
        .refine((s) => new Set(s).size === s.length, 'scopes must not repeat'),
    }),
    responses: {
      201: {
        description: 'The new key; `key` is never shown again',
        schema: z.object({ data: apiKeySchema.extend({ key: z.string().meta({ example: 'ohk_live_…' }) }) }),
      },
    },
    async handle({ body, deps, actor }) {
      const { row, key } = await createApiKey(deps.database.db, { name: body.name, scopes: body.scopes }, actor);
      return { status: 201, body: { data: { ...renderKey(row), key } } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/api-keys',
    tag: 'Auth',
    summary: 'List API keys, without secrets (master key only)',
    access: 'master',
    query: z.strictObject(pageQuery),
    responses: { 200: { description: 'A page of keys', schema: z.object({ data: z.array(apiKeySchema), pagination: paginationSchema }) } },
    async handle({ query, deps }) {
      const rows = await listApiKeys(deps.database.db, { limit: query.limit, before: decodeIdCursor(query.cursor, 'key') });
      return { status: 200, body: page(rows, query.limit, (k) => k.id, renderKey) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/auth/api-keys/:id',
    tag: 'Auth',
    summary: 'Revoke an API key (master key only); revoking twice keeps the first time',
    access: 'master',
    params: z.strictObject({ id: z.string().max(64) }),
    responses: {
      200: { description: 'The revoked key', schema: z.object({ data: apiKeySchema }) },
      404: { description: 'API_KEY_NOT_FOUND' },
    },
    async handle({ params, deps, actor }) {
      const row = isId('key', params.id) ? await revokeApiKey(deps.database.db, params.id, actor) : null;
      if (!row) throw new AppError('API_KEY_NOT_FOUND', 'API key not found', { api_key_id: params.id });
      deps.auth.forget(row.id);
      return { status: 200, body: { data: renderKey(row) } };
    },
  }),
];
