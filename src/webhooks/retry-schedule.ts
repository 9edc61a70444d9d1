/**
 * When a failed delivery is tried again. `schedule[i]` is the delay before attempt i + 1 (the Standard Webhooks
 * schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; WEBHOOK_RETRY_SCHEDULE_MS). Pure, so the
 * arithmetic of a long outage is checked without waiting for it (test/webhooks/retry-schedule.test.ts).
 */

/** The longest Retry-After honoured; a receiver cannot park an endpoint for longer than the schedule's longest step. */
export const MAX_RETRY_AFTER_MS = 10 * 3600_000;

/**
 * The delay before the attempt after `attempt` (1-based) failed, or null when that was the last one. A `Retry-After`
 * (429, 503) pushes the next attempt later, never earlier, and is capped at MAX_RETRY_AFTER_MS.
 */
export function nextDelayMs(schedule: readonly number[], attempt: number, retryAfterMs: number | null): number | null {
  if (attempt >= schedule.length) return null;
  const planned = schedule[attempt];
  return retryAfterMs === null ? planned : Math.max(planned, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** When each attempt happens, in ms after the event was first due (ignoring the time the attempts themselves take). */
export function attemptOffsetsMs(schedule: readonly number[]): number[] {
  let at = 0;
  return schedule.map((delay) => (at += delay));
}

/**
 * The `Retry-After` header of a 429 or 503 in ms (delay-seconds or an HTTP date), or null for any other status and
 * for a header that is neither.
 */
export function retryAfterMs(status: number, header: string | undefined, now: number): number | null {
  if ((status !== 429 && status !== 503) || header === undefined) return null;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
