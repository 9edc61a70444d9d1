import type { Pool } from 'pg';
import { addCounts, decrement, deleteWindowsBefore, incrementBelow } from './rate-limit-repository';

export const WINDOW_MS = 60_000;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix time (seconds) when the current window ends. */
  resetAt: number;
  /** Seconds until the window ends; what a limited client should wait. */
  retryAfter: number;
  exceeded: boolean;
}

export function windowStart(now: number): number {
  return now - (now % WINDOW_MS);
}

export function rateLimitState(limit: number, count: number, now: number): RateLimitState {
  const end = windowStart(now) + WINDOW_MS;
  return {
    limit,
    remaining: Math.max(0, limit - count),
    resetAt: Math.ceil(end / 1000),
    retryAfter: Math.max(1, Math.ceil((end - now) / 1000)),
    exceeded: count > limit,
  };
}

interface Window {
  start: number;
  /** The shared count as PostgreSQL last reported it (every process's requests). */
  shared: number;
  /** This process's requests not yet added to the shared count. */
  pending: number;
  /** When `shared` was last read from PostgreSQL. */
  refreshedAt: number;
  loading?: Promise<void>;
}

/**
 * Fixed one-minute windows whose counts live in PostgreSQL, shared by every API process. Each process counts its
 * requests in memory and adds them to the shared counter every `flushMs` (one statement for all buckets), reading
 * back the total; a bucket's first request in a window waits for that total. A request is judged on the shared
 * total plus this process's pending requests, so processes see each other's traffic within `flushMs`.
 */
export class SharedRateLimiter {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly flushMs = 100,
  ) {}

  /**
   * Counts one request against `bucket` and judges it. When PostgreSQL cannot be reached, `onOutage: 'throw'` fails the
   * request; `'local'` judges it on the last shared total plus this process's own count (the count is added later).
   */
  async hit(bucket: string, limit: number, now = Date.now(), onOutage: 'throw' | 'local' = 'throw'): Promise<RateLimitState> {
    const start = windowStart(now);
    let w = this.windows.get(bucket);
    if (!w || w.start !== start) {
      w = { start, shared: 0, pending: 0, refreshedAt: 0 };
      this.windows.set(bucket, w);
    }
    // Another request's flush is reading the shared total: wait for it. In 'local' mode its failure is that request's
    // to handle (it schedules the retry); this one is judged on the last shared total plus this process's count.
    if (w.loading) await (onOutage === 'throw' ? w.loading : w.loading.catch(() => undefined));
    w.pending++;
    if (now - w.refreshedAt >= this.flushMs) {
      // The shared total is stale: add ours and read everyone's before judging (once per flushMs per bucket).
      w.loading = this.flush(now);
      try {
        await w.loading;
      } catch (err) {
        if (onOutage === 'throw') throw err;
        this.schedule();
      } finally {
        w.loading = undefined;
      }
    } else {
      this.schedule();
    }
    return rateLimitState(limit, w.shared + w.pending, now);
  }

  /** Adds every pending count to PostgreSQL and reads the totals back. */
  flush(now = Date.now()): Promise<void> {
    if (this.flushing) return this.flushing.catch(() => undefined).then(() => this.flush(now));
    const batch = [...this.windows.entries()]
      .filter(([, w]) => w.pending > 0 || (w.start === windowStart(now) && now - w.refreshedAt >= this.flushMs))
      .map(([bucket, w]) => ({ bucket, w, delta: w.pending }));
    if (batch.length === 0) return Promise.resolve();
    for (const b of batch) b.w.pending -= b.delta;
    this.flushing = addCounts(
      this.pool,
      batch.map((b) => ({ bucket: b.bucket, windowStart: b.w.start, delta: b.delta })),
    )
      .then(
        (rows) => {
          for (const r of rows) {
            const w = this.windows.get(r.bucket);
            if (w && w.start === Number(r.window_start)) {
              w.shared = Math.max(w.shared, r.count);
              w.refreshedAt = now;
            }
          }
        },
        (err) => {
          for (const b of batch) b.w.pending += b.delta; // try again with the next flush
          throw err;
        },
      )
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => this.schedule());
    }, this.flushMs);
    this.timer.unref();
  }

  /** Forgets finished windows (memory), flushing what is pending first. */
  async prune(now = Date.now()): Promise<void> {
    await this.flush();
    const current = windowStart(now);
    for (const [bucket, w] of this.windows) if (w.start < current && w.pending === 0) this.windows.delete(bucket);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }
}

/** Drops finished windows from PostgreSQL; called periodically by the API. */
export async function purgeRateLimitWindows(pool: Pool, now = Date.now()): Promise<void> {
  await deleteWindowsBefore(pool, windowStart(now) - WINDOW_MS);
}

/** A request counted in a window by `takeSlot`, to give back with `giveBackSlot` if it turns out not to count. */
export interface Slot {
  bucket: string;
  windowStart: number;
}

/**
 * Counts one request in `bucket`'s current window, exactly and at once across every API process (one statement),
 * unless the window is full: a refused request is not counted. For low-volume limits on money movements (withdrawals
 * per user), where the batched `SharedRateLimiter` would let a burst through between flushes.
 */
export async function takeSlot(
  pool: Pool,
  bucket: string,
  limit: number,
  now = Date.now(),
): Promise<{ state: RateLimitState; slot: Slot | null }> {
  const start = windowStart(now);
  const count = await incrementBelow(pool, bucket, start, limit);
  if (count === null) return { state: rateLimitState(limit, limit + 1, now), slot: null };
  return { state: rateLimitState(limit, count, now), slot: { bucket, windowStart: start } };
}

/** Uncounts a request taken by `takeSlot` (it was refused before it ran, or failed and will be retried). */
export async function giveBackSlot(pool: Pool, slot: Slot): Promise<void> {
  await decrement(pool, slot.bucket, slot.windowStart);
}

/**
 * The rate-limit bucket of a client address: an IPv4 address (also when IPv4-mapped) as is, an IPv6 address by its
 * /64, the block one subscriber holds (one host can rotate through its /64 at will).
 */
export function addressBucket(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return `addr:${mapped[1]}`;
  if (!address.includes(':')) return `addr:${address}`;
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const left = groups(head);
  const right = groups(tail);
  const full = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `addr:${full
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
