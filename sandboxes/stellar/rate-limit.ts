/**
 * Horizon's request rate limit, per client IP address: `--per-hour-rate-limit` requests an hour (3600 by default on
 * SDF's servers; 0 turns it off), enforced with the GCRA algorithm of the `throttled` library Horizon uses, which
 * allows a burst on top of the steady rate. Every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (seconds until the client is back to a full allowance); a refused one is a 429
 * `rate_limit_exceeded` problem with `Retry-After` (stellar/go services/horizon/internal/docs/reference/rate-limiting.md).
 */
export interface RateLimitOptions {
  perHour: number;
  /** Requests a client may make at once on top of the steady rate (throttled's MaxBurst). */
  burst: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export class HorizonRateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  /** Per client: the theoretical arrival time of its next request (GCRA's TAT), in ms. */
  private readonly arrival = new Map<string, number>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.perHour > 0) || !(options.burst >= 0)) throw new Error('perHour must be positive and burst at least 0');
    this.interval = 3_600_000 / options.perHour;
    this.tolerance = this.interval * (options.burst + 1);
  }

  /** Counts one request of `client` when it is allowed; a refused one counts nothing. */
  take(client: string): RateLimitVerdict {
    const now = this.now();
    const limit = this.options.burst + 1;
    const tat = Math.max(this.arrival.get(client) ?? now, now);
    const next = tat + this.interval;
    const allowAt = next - this.tolerance;
    if (now < allowAt) {
      const reset = Math.ceil((tat - now) / 1000);
      return {
        allowed: false,
        headers: {
          'X-RateLimit-Limit': String(limit),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(reset),
          'Retry-After': String(Math.max(1, Math.ceil((allowAt - now) / 1000))),
        },
      };
    }
    this.arrival.set(client, next);
    return {
      allowed: true,
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(Math.floor((now - allowAt) / this.interval)),
        'X-RateLimit-Reset': String(Math.ceil((next - now) / 1000)),
      },
    };
  }
}
