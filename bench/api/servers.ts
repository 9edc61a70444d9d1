/**
 * A server process of the API bench, forked by run.ts with its role as the one argument (see ServerRole):
 *   api        the real API through its entry point (startApi: createApp with real deps, auth, rate limiting,
 *              metrics), configured from the environment run.ts passes;
 *   bare       a bare Express handler running the same indexed SELECT on a pg Pool of the same size;
 *   bare-auth  the bare handler, first running the API's Authenticator and SharedRateLimiter (as the API does).
 * Each reports its port to the parent over IPC and runs until the parent disconnects.
 */
import http from 'node:http';
import express from 'express';
import { Pool } from 'pg';
import { Authenticator } from '../../src/auth/authenticate';
import { SharedRateLimiter } from '../../src/rate-limit';
import { loadConfig } from '../../src/config';
import { startApi } from '../../api/server';
import type { ServerReady, ServerRole } from './protocol';

const USER_SQL = 'SELECT id, seq, external_user_id, email, type, created_at, updated_at FROM users WHERE id = $1';

async function startBare(withAuth: boolean): Promise<{ port: number; stop(): Promise<void> }> {
  const config = loadConfig();
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const authenticator = new Authenticator(pool, config.OFFERHUB_MASTER_KEY, {
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
    missTtlMs: config.AUTH_MISS_CACHE_TTL_MS,
  });
  const limiter = new SharedRateLimiter(pool, config.RATE_LIMIT_FLUSH_MS);
  app.get('/api/v1/users/:id', async (req, res) => {
    if (withAuth) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const principal = await authenticator.authenticate(token);
      if (principal) await limiter.hit(`key:${principal.id}`, config.RATE_LIMIT_PER_MINUTE);
      if (!principal) {
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'Invalid or revoked API key', details: {} } });
        return;
      }
    }
    const { rows } = await pool.query({ name: 'bare_user_by_id', text: USER_SQL, values: [req.params.id] });
    const u = rows[0];
    if (!u) {
      res.status(404).json({ error: { code: 'USER_NOT_FOUND', message: 'User not found', details: { user_id: req.params.id } } });
      return;
    }
    res.json({
      data: {
        id: u.id,
        external_user_id: u.external_user_id,
        email: u.email,
        type: u.type,
        created_at: u.created_at.toISOString(),
        updated_at: u.updated_at.toISOString(),
      },
    });
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // as startApi sets it
  await new Promise<void>((resolve) => server.listen(0, config.HOST, resolve));
  return {
    port: (server.address() as { port: number }).port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

async function main(): Promise<void> {
  const role = process.argv[2] as ServerRole;
  if (!['api', 'bare', 'bare-auth'].includes(role)) throw new Error(`usage: servers.ts api|bare|bare-auth (got ${role})`);
  const server = role === 'api' ? await startApi() : await startBare(role === 'bare-auth');
  const ready: ServerReady = { type: 'ready', port: server.port };
  process.send?.(ready);
  process.once('disconnect', () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err) => {
  console.error(`bench server ${process.argv[2]}:`, err);
  process.exit(1);
});
