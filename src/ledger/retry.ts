import { AppError } from '../errors';

/** SQLSTATEs after which the whole transaction can simply run again: serialization failure and deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

const counts: Record<string, number> = { '40001': 0, '40P01': 0 };

/** How many serialization failures (40001) and deadlocks (40P01) this process has retried so far. */
export function retryCounts(): Readonly<Record<string, number>> {
  return { ...counts };
}

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has((err as { code?: string }).code ?? '');
}

/**
 * Runs `attempt` until it succeeds, retrying serialization failures and deadlocks with jittered backoff.
 * When they persist past `maxAttempts` the caller gets SERVICE_UNAVAILABLE, never a business error.
 */
export async function withRetry<T>(attempt: () => Promise<T>, maxAttempts = 12, baseDelayMs = 2): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      counts[(err as { code: string }).code] += 1;
      if (n >= maxAttempts) {
        throw new AppError('SERVICE_UNAVAILABLE', 'The ledger is too contended to complete the movement; retry later', {
          reason: 'ledger_contention',
          attempts: n,
          sqlstate: (err as { code?: string }).code,
        });
      }
      const cap = baseDelayMs * 2 ** Math.min(n, 8);
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}
