import { continueAsNew, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';

const horizon = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export interface DepositWatcherInput {
  pollIntervalMs: number;
  /** Scans per run before the history is rolled over with continue-as-new. */
  scansPerRun?: number;
}

/**
 * The one deposit watcher: scans Horizon for USDC payments to user wallets, page after page from the persisted cursor,
 * sleeping when caught up, and as long as Horizon asks when it answers 429. Crashes and restarts resume from the cursor; credits are unique per operation.
 */
export async function depositWatcher(input: DepositWatcherInput): Promise<never> {
  const scans = input.scansPerRun ?? 500;
  for (let i = 0; i < scans; i++) {
    const result = await horizon.scanDeposits({});
    // Horizon's 429: wait as long as it asked (before this patch the watcher asked again at once, and again).
    if (result.retryAfterMs !== undefined && patched('deposit-scan-waits-retry-after')) await sleep(result.retryAfterMs);
    else if (result.caughtUp) await sleep(input.pollIntervalMs);
  }
  return continueAsNew<typeof depositWatcher>(input);
}
