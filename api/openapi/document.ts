import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_STATUS } from '../../src/errors';
import { type AnyRoute, openApiPath } from '../http/route';
import { answersInOnrampEnvelope } from '../middleware/errors';
import { failure as onrampFailure } from '../routes/onramp-answers';

const errorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });

const SCOPE_NOTE: Record<string, string> = {
  public: 'No authentication.',
  master: 'Master key only.',
  read: 'Scope: `read`.',
  write: 'Scope: `write`.',
  support: 'Scope: `support`.',
};

/** The OpenAPI 3.1 document, generated from the same route list and zod schemas that validate requests. */
export function buildOpenApiDocument(routes: AnyRoute[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`ohk_live_…`) or, for /auth/api-keys, the master key',
  });
  for (const r of routes) {
    // The on-ramp's routes refuse in document 003's envelope, the pipeline's refusals included (errorBodyFor).
    const refusal = answersInOnrampEnvelope(`/api/v1${r.path}`) ? onrampFailure : errorEnvelope;
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      responses[status] = {
        description: spec.description,
        content: { [spec.contentType ?? 'application/json']: { schema: spec.schema ?? refusal } },
      };
    }
    responses.default = {
      description: `${refusal === errorEnvelope ? 'Error envelope' : 'Document 003’s refusal'} (400 VALIDATION_ERROR, 401 UNAUTHORIZED, 403 INSUFFICIENT_SCOPE, 429 RATE_LIMITED, …)`,
      content: { 'application/json': { schema: refusal } },
    };
    const headers = r.idempotency
      ? z.object({
          'idempotency-key': (r.idempotency.required ? z.string() : z.string().optional()).meta({
            description: `Up to 255 characters; outcomes kept ${r.idempotency.window}`,
          }),
        })
      : undefined;
    registry.registerPath({
      method: r.method,
      path: `/api/v1${openApiPath(r.path)}`,
      tags: [r.tag],
      summary: r.summary,
      description: [r.description, SCOPE_NOTE[r.access]].filter(Boolean).join('\n\n'),
      security: r.access === 'public' ? [] : [{ bearer: [] }],
      request: {
        params: r.params as never,
        query: r.query as never,
        headers: headers as never,
        body: r.body ? { content: { 'application/json': { schema: r.body } } } : undefined,
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'OFFER-HUB Orchestrator API',
      version,
      description: 'Payment orchestration for marketplaces. All amounts are decimal strings with up to 7 decimal places.',
    },
    servers: [{ url: '/' }],
  });
}
