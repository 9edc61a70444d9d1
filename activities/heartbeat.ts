import { Context } from '@temporalio/activity';

/**
 * Heartbeats every second while `work` runs, so a worker that dies mid-activity is noticed within the activity's
 * heartbeat timeout (not its much longer start-to-close timeout) and the activity is retried elsewhere. `sparing`:
 * the first heartbeat only after a third of the heartbeat timeout, then every third (for activities that mostly wait,
 * many at once: each heartbeat Temporal records is a write).
 */
export async function withHeartbeat<T>(work: () => Promise<T>, opts: { sparing?: boolean } = {}): Promise<T> {
  const ctx = Context.current();
  const timeoutMs = ctx.info.heartbeatTimeoutMs ?? 0;
  const sparing = opts.sparing && timeoutMs >= 3000;
  if (!sparing) ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), sparing ? Math.floor(timeoutMs / 3) : 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
