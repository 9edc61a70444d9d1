import type { Request, Response } from 'express';
import type { Actor } from '../../src/audit/actor';
import type { Principal } from '../../src/auth/authenticate';
import { createSecretBox, parseKeyring } from '../../src/crypto/secret-box';
import { AppError } from '../../src/errors';
import * as idempotency from '../../src/idempotency';
import * as idempotencyStore from '../../src/idempotency-repository';
import { giveBackSlot, takeSlot } from '../../src/rate-limit';
import type { ApiDeps } from '../context';
import { applyLimit } from './limits';
import { requestLog, requestIdOf } from './request-context';
import { errorBodyFor } from '../middleware/errors';
import { sendJson } from './respond';
import type { AnyRoute, RouteContext, RouteResult } from './route';
import { parseOrThrow } from './validation';

/**
 * Runs one route: authenticate (and count against the key's rate limit), check access, validate, apply the
 * per-user limit, honour Idempotency-Key, call the handler, send. Anything thrown reaches the error middleware.
 */
export function routeHandler(route: AnyRoute, deps: ApiDeps) {
  const sealer = responseSealer(deps);
  return async (req: Request, res: Response): Promise<void> => {
    const principal = route.access === 'public' ? null : await authorize(route, req, res, deps);
    const params = route.params ? parseOrThrow(route.params, req.params, 'params') : {};
    const query = route.query ? parseOrThrow(route.query, req.query, 'query') : {};
    const body = route.body ? parseOrThrow(route.body, req.body ?? {}, 'body') : noBody(req);

    const key = idempotencyKeyOf(req, route);
    const idempotent =
      key && principal ? { principal: principal.id, key, requestHash: idempotency.requestHash(req.method, req.path, body) } : undefined;
    const requestId = requestIdOf(res);
    const ctx = {
      body,
      query,
      params,
      principal,
      actor: actorOf(principal, requestId),
      deps,
      requestId,
      idempotent,
      log: requestLog(res),
      req,
    };
    if (!idempotent) {
      const result = await countedPerUser(route, body, res, deps, () => route.handle(ctx));
      if (result.stream) return result.stream(res);
      sendJson(res, result.status, JSON.stringify(result.body));
      return;
    }
    res.setHeader('X-Idempotency-Key', idempotent.key);
    const boundTo = `${idempotent.principal}:${idempotent.key}`;
    const pool = deps.database.pool;
    const claim = await idempotency.claim(pool, { ...idempotent, window: route.idempotency!.window, ownerPid: deps.session.pid });
    if (claim.kind === 'mismatch')
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request', { idempotency_key: key });
    if (claim.kind === 'in_progress')
      throw new AppError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', {
        idempotency_key: key,
      });
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      const current = route.idempotency!.current;
      if (current && claim.status < 300) {
        const now = await current(ctx as RouteContext<unknown, unknown, unknown>);
        sendJson(res, now.status, JSON.stringify(now.body));
        return;
      }
      sendJson(res, claim.status, route.idempotency!.sealed ? sealer.open(claim.body, boundTo) : claim.body);
      return;
    }
    let result: RouteResult;
    try {
      // The per-user limit counts here, once the key is ours: a replay or a duplicate in progress never counts.
      result = await countedPerUser(route, body, res, deps, () => route.handle(ctx));
    } catch (err) {
      await storeFailure(pool, idempotent.principal, idempotent.key, err, req.originalUrl);
      throw err;
    }
    const json = JSON.stringify(result.body);
    await idempotencyStore.complete(
      pool,
      idempotent.principal,
      idempotent.key,
      result.status,
      route.idempotency!.sealed ? sealer.seal(json, boundTo) : json,
    );
    sendJson(res, result.status, json);
  };
}

/** The audit log's actor: the API key by its id (never its secret), or the master key; public routes change nothing. */
function actorOf(principal: Principal | null, requestId: string): Actor {
  if (!principal) return { type: 'system', id: 'public', requestId };
  return principal.kind === 'master' ? { type: 'master_key', id: 'master', requestId } : { type: 'api_key', id: principal.id, requestId };
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

/**
 * Runs the handler within the route's per-user limit: the request is counted (exactly, across processes) before it
 * runs, so a burst cannot slip through, and given back if it did not run after all: a validation refusal (400, 404)
 * or a fault (5xx, which frees the Idempotency-Key; the retry counts instead). A request over the limit is not counted.
 */
async function countedPerUser(
  route: AnyRoute,
  body: unknown,
  res: Response,
  deps: ApiDeps,
  run: () => Promise<RouteResult>,
): Promise<RouteResult> {
  const user = route.userRateLimit?.userId(body);
  if (!route.userRateLimit || !user) return run();
  const { limit, name } = route.userRateLimit;
  const { state, slot } = await takeSlot(deps.database.pool, `${name}:${user}`, limit);
  applyLimit(res, state, name);
  try {
    return await run();
  } catch (err) {
    const ran = err instanceof AppError && err.status < 500 && err.status !== 400 && err.status !== 404;
    if (!ran) await giveBackSlot(deps.database.pool, slot!);
    throw err;
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

/**
 * A refusal (4xx) is the request's outcome and is replayed; a fault (5xx) changed nothing and frees the key for a
 * retry, and so does 429 (the request did not run; the same key may run it once the window allows).
 */
async function storeFailure(pool: ApiDeps['database']['pool'], principal: string, key: string, err: unknown, url: string): Promise<void> {
  if (err instanceof AppError && err.status < 500 && err.code !== 'RATE_LIMITED') {
    await idempotencyStore.complete(pool, principal, key, err.status, errorBodyFor(url, err));
  } else {
    await idempotencyStore.release(pool, principal, key);
  }
}

/** Seals stored responses that hold a secret, under keys of their own (rotating the master key leaves replays intact). */
function responseSealer(deps: ApiDeps) {
  const ring = parseKeyring(deps.config.IDEMPOTENCY_SEALING_KEYS ?? '');
  return createSecretBox(ring, deps.config.IDEMPOTENCY_SEALING_KEY_ID ?? [...ring.keys()][0]);
}
