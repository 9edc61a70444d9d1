import type { Request, Response } from 'express';
import type { Principal } from '../../src/auth/authenticate';
import { derivedSecretBox } from '../../src/crypto/secret-box';
import { AppError } from '../../src/errors';
import * as idempotency from '../../src/idempotency';
import * as idempotencyStore from '../../src/idempotency-repository';
import type { RateLimitState } from '../../src/rate-limit';
import type { ApiDeps } from '../context';
import { requestLog, requestIdOf } from './request-context';
import { sendJson } from './respond';
import type { AnyRoute, RouteResult } from './route';
import { parseOrThrow } from './validation';

/**
 * Runs one route: authenticate (and count against the key's rate limit), check access, validate, apply the
 * per-user limit, honour Idempotency-Key, call the handler, send. Anything thrown reaches the error middleware.
 */
export function routeHandler(route: AnyRoute, deps: ApiDeps) {
  const sealer = derivedSecretBox(deps.config.OFFERHUB_MASTER_KEY, 'idempotency-response');
  return async (req: Request, res: Response): Promise<void> => {
    const principal = route.access === 'public' ? null : await authorize(route, req, res, deps);
    const params = route.params ? parseOrThrow(route.params, req.params, 'params') : {};
    const query = route.query ? parseOrThrow(route.query, req.query, 'query') : {};
    const body = route.body ? parseOrThrow(route.body, req.body ?? {}, 'body') : noBody(req);
    if (route.userRateLimit) await limitPerUser(route, body, res, deps);

    const key = idempotencyKeyOf(req, route);
    const ctx = { body, query, params, principal, deps, requestId: requestIdOf(res), idempotencyKey: key, log: requestLog(res), req };
    if (!key || !principal) {
      const result = await route.handle(ctx);
      sendJson(res, result.status, JSON.stringify(result.body));
      return;
    }
    res.setHeader('X-Idempotency-Key', key);
    const boundTo = `${principal.id}:${key}`;
    const pool = deps.database.pool;
    const claimInput = {
      principal: principal.id,
      key,
      requestHash: idempotency.requestHash(req.method, req.path, body),
      window: route.idempotency!.window,
    };
    const claim = await idempotency.claim(pool, claimInput);
    if (claim.kind === 'mismatch')
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request', { idempotency_key: key });
    if (claim.kind === 'in_progress')
      throw new AppError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', {
        idempotency_key: key,
      });
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      sendJson(res, claim.status, route.idempotency!.sealed ? sealer.open(claim.body, boundTo) : claim.body);
      return;
    }
    let result: RouteResult;
    try {
      result = await route.handle(ctx);
    } catch (err) {
      await storeFailure(pool, principal.id, key, err);
      throw err;
    }
    const json = JSON.stringify(result.body);
    await idempotencyStore.complete(pool, principal.id, key, result.status, route.idempotency!.sealed ? sealer.seal(json, boundTo) : json);
    sendJson(res, result.status, json);
  };
}

async function authorize(route: AnyRoute, req: Request, res: Response, deps: ApiDeps): Promise<Principal> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  if (!match) throw new AppError('UNAUTHORIZED', 'Missing or malformed Authorization header; expected "Bearer <api key>"');
  const p = await deps.auth.authenticate(match[1]);
  if (!p) throw new AppError('UNAUTHORIZED', 'Invalid or revoked API key');
  if (p.kind === 'api_key') applyLimit(res, await deps.rateLimiter.hit(`key:${p.id}`, deps.config.RATE_LIMIT_PER_MINUTE), 'api_key');
  if (route.access === 'master' ? p.kind !== 'master' : p.kind !== 'api_key' || !p.scopes.includes(route.access as never)) {
    throw new AppError(
      'INSUFFICIENT_SCOPE',
      `This route requires ${route.access === 'master' ? 'the master key' : `the "${route.access}" scope`}`,
      {
        required: route.access,
        granted: p.kind === 'master' ? ['master'] : p.scopes,
      },
    );
  }
  return p;
}

async function limitPerUser(route: AnyRoute, body: unknown, res: Response, deps: ApiDeps): Promise<void> {
  const { limit, name, userId } = route.userRateLimit!;
  const user = userId(body);
  if (!user) return;
  applyLimit(res, await deps.rateLimiter.hit(`${name}:${user}`, limit), name);
}

function applyLimit(res: Response, state: RateLimitState, scope: string): void {
  res.setHeader('X-RateLimit-Limit', String(state.limit));
  res.setHeader('X-RateLimit-Remaining', String(state.remaining));
  res.setHeader('X-RateLimit-Reset', String(state.resetAt));
  if (state.exceeded) {
    res.setHeader('Retry-After', String(state.retryAfter));
    throw new AppError('RATE_LIMITED', 'Too many requests', { retry_after: state.retryAfter, limit: state.limit, scope });
  }
}

function idempotencyKeyOf(req: Request, route: AnyRoute): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) {
    if (route.idempotency?.required)
      throw new AppError('VALIDATION_ERROR', 'This route requires an Idempotency-Key header', {
        fields: [{ field: 'headers.idempotency-key', code: 'required', message: 'required' }],
      });
    return undefined;
  }
  if (!route.idempotency) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
      fields: [{ field: 'headers.idempotency-key', code: 'invalid', message: '1 to 255 visible ASCII characters' }],
    });
  }
  return key;
}

/** Routes without a body accept none (or an empty object); anything else is a mistake worth telling. */
function noBody(req: Request): Record<string, never> {
  const b = req.body;
  if (b === undefined || (b && typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0)) return {};
  throw new AppError('VALIDATION_ERROR', 'This route takes no request body', {
    fields: [{ field: 'body', code: 'unexpected_body', message: 'no body expected' }],
  });
}

/** A refusal (4xx) is the request's outcome and is replayed; a fault (5xx) changed nothing and frees the key for a retry. */
async function storeFailure(pool: ApiDeps['database']['pool'], principal: string, key: string, err: unknown): Promise<void> {
  if (err instanceof AppError && err.status < 500) {
    await idempotencyStore.complete(
      pool,
      principal,
      key,
      err.status,
      JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }),
    );
  } else {
    await idempotencyStore.release(pool, principal, key);
  }
}
