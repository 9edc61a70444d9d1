import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Actor } from '../../src/audit/actor';
import type { Scope } from '../../src/auth/api-keys';
import type { Principal } from '../../src/auth/authenticate';
import type { IdempotencyWindow, IdempotentRequest } from '../../src/idempotency';
import type { Logger } from '../../src/logger';
import type { ApiDeps } from '../context';

/** Who may call a route: nobody in particular, only the master key, or an API key holding a scope. */
export type Access = 'public' | 'master' | Scope;

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal | null;
  /** Who is asking, as the audit log records it: the API key (or the master key) and this request's id. */
  actor: Actor;
  deps: ApiDeps;
  requestId: string;
  /**
   * The request's Idempotency-Key with its API key and request hash, when it sent one: every update id and derived id
   * the request names comes from it (`idempotentName`, `idempotentUpdateId`), never from the key string alone.
   */
  idempotent?: IdempotentRequest;
  log: Logger;
  req: Request;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** A streaming answer (GET /events): written by this function instead of a JSON body, once every check passed. */
  stream?: (res: Response) => Promise<void>;
}

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'get' | 'post' | 'delete';
  /** Express-style path below /api/v1, e.g. `/users/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  /** State-changing routes: how long outcomes are kept, whether the header is mandatory, whether the stored response holds a secret. */
  idempotency?: {
    window: IdempotencyWindow;
    required?: boolean;
    sealed?: boolean;
    /**
     * For a step whose outcome comes later (202): a replayed success answers the resource as it is now, not the
     * stored answer (the step may have finished since). Refusals still replay as stored.
     */
    current?: (ctx: RouteContext<unknown, unknown, unknown>) => Promise<RouteResult>;
  };
  /**
   * An extra per-user limit (requests a minute), keyed by the user the request acts for, shared by every API key.
   * Counts only requests that ran: not replays, not duplicates in progress, not validation refusals (400, 404), not
   * faults (5xx, the key is freed for the retry, which counts).
   */
  userRateLimit?: { limit: number; name: string; userId: (body: z.infer<B>) => string | undefined };
  /** `contentType` defaults to application/json. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handle(ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>>): Promise<RouteResult>;
}

export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export function defineRoute<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType>(
  spec: RouteSpec<B, Q, P>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** `/users/:id` → `/users/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}
