import { z } from 'zod';
import { pingDatabase } from '../../src/db/client';
import { defineRoute } from '../http/route';

const check = z.object({ ok: z.boolean(), latency_ms: z.number() });

async function timed(fn: () => Promise<boolean>) {
  const start = Date.now();
  const ok = await fn().catch(() => false);
  return { ok, latency_ms: Date.now() - start };
}

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/health',
    tag: 'Health',
    summary: 'Reachability of PostgreSQL and Temporal, and the version (no auth)',
    access: 'public',
    responses: {
      200: {
        description: 'All dependencies reachable',
        schema: z.object({
          status: z.enum(['ok', 'degraded']),
          version: z.string(),
          checks: z.object({ postgres: check, temporal: check }),
        }),
      },
      503: { description: 'A dependency is unreachable (same body, status "degraded")' },
    },
    async handle({ deps }) {
      const [postgres, temporal] = await Promise.all([
        timed(() => pingDatabase(deps.database.pool)),
        timed(() => deps.temporal.ping(2000)),
      ]);
      const ok = postgres.ok && temporal.ok;
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', version: deps.version, checks: { postgres, temporal } } };
    },
  }),
];
