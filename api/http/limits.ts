import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../src/errors';
import { addressBucket, type RateLimitState } from '../../src/rate-limit';
import type { ApiDeps } from '../context';

/** Sets the X-RateLimit-* headers of `state`; over the limit, adds Retry-After and throws 429 RATE_LIMITED. */
export function applyLimit(res: Response, state: RateLimitState, scope: string): void {
  res.setHeader('X-RateLimit-Limit', String(state.limit));
  res.setHeader('X-RateLimit-Remaining', String(state.remaining));
  res.setHeader('X-RateLimit-Reset', String(state.resetAt));
  if (state.exceeded) {
    res.setHeader('Retry-After', String(state.retryAfter));
    throw new AppError('RATE_LIMITED', 'Too many requests', { retry_after: state.retryAfter, limit: state.limit, scope });
  }
}

/**
 * Counts every request against its client address (req.ip, which honours TRUST_PROXY) before anything else runs,
 * authentication included: a flood, with or without a token, is refused before it can cost a database lookup. Only a
 * refusal carries this limit's headers; an authenticated answer carries its API key's.
 */
export function limitByAddress(deps: ApiDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      // An outage of the shared counters judges on this process's own count: /health must still answer 503, not 500.
      const state = await deps.rateLimiter.hit(addressBucket(address), deps.config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, Date.now(), 'local');
      if (state.exceeded) applyLimit(res, state, 'address');
      next();
    } catch (err) {
      next(err);
    }
  };
}
