import http from 'node:http';
import { buildApiDeps, type ApiDeps } from '../../api/context';
import { createApp } from '../../api/app';
import { answerClientErrors } from '../../api/http/client-errors';
import { createMetricsApp } from '../../api/metrics-app';
import { createMetrics, eventStreamMetrics } from '../../api/middleware/metrics';
import { loadConfig, type Config } from '../../src/config';
import { createDatabase } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import { createTemporalHandle } from '../../src/temporal/connection';

export interface TestApi {
  url: string;
  /** The metrics listener (its own port, as in production). */
  metricsUrl: string;
  /** The API's dependencies, for tests that observe them (e.g. count queries on deps.database.pool). */
  deps: ApiDeps;
  config: Config;
  masterKey: string;
  /** JSON request; `key` is sent as the Bearer token. */
  call(method: string, path: string, opts?: CallOptions): Promise<ApiResponse>;
  /** Creates an API key with these scopes through the real endpoint. */
  keyWith(...scopes: Array<'read' | 'write' | 'support'>): Promise<string>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is: a string goes out as UTF-8, bytes as they are (for bodies that are not valid UTF-8). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** The real API (real PostgreSQL, real Temporal) on an ephemeral port, configured from the run's environment. */
export async function startTestApi(overrides: Partial<Record<string, string>> = {}): Promise<TestApi> {
  // Every suite calls from 127.0.0.1, so the per-address limit (shared through PostgreSQL) is out of the way unless a test sets it.
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    METRICS_PORT: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000000',
    ...overrides,
  });
  const database = createDatabase(config.DATABASE_URL, 10);
  const temporal = createTemporalHandle({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const deps = buildApiDeps({ config, database, logger: createLogger('silent'), temporal, version: 'test' });
  await deps.session.start(); // as api/server.ts does
  const metrics = createMetrics([deps.walletActivations, ...eventStreamMetrics(deps.events)]);
  const server = http.createServer(createApp(deps, metrics));
  answerClientErrors(server); // as api/server.ts does
  const metricsServer = http.createServer(createMetricsApp(metrics));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => metricsServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const metricsUrl = `http://127.0.0.1:${(metricsServer.address() as { port: number }).port}`;
  const masterKey = config.OFFERHUB_MASTER_KEY;

  async function call(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? masterKey : opts.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | Uint8Array | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    // An event stream never ends: its status and headers are the answer (test/helpers/event-source.ts reads streams).
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, headers: res.headers, text: '', body: undefined };
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  return {
    url,
    metricsUrl,
    deps,
    config,
    masterKey,
    call,
    async keyWith(...scopes) {
      const res = await call('POST', '/api/v1/auth/api-keys', { body: { name: `test ${scopes.join('+')}`, scopes } });
      if (res.status !== 201) throw new Error(`could not create key: ${res.status} ${res.text}`);
      return res.body.data.key as string;
    },
    async close() {
      const closed = [server, metricsServer].map((s) => new Promise<void>((r) => s.close(() => r())));
      server.closeAllConnections(); // event streams never end on their own
      metricsServer.closeAllConnections();
      await Promise.all(closed);
      await deps.events.feed.close();
      await deps.session.close();
      await deps.rateLimiter.close();
      await temporal.close();
      await database.close();
    },
  };
}

let counter = 0;
/** A value unique within this run, for external ids and idempotency keys. */
export function unique(prefix = 'x'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
