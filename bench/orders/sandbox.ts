/**
 * The sandboxes under the bench's orders, in a process of their own (forked by stack.ts) so that their work never
 * shares an event loop with the client that times the calls: a Stellar network in memory, ledgers closing every
 * BENCH_LEDGER_INTERVAL_MS, and Trustless Work over it. Reports its URLs over IPC; stops when the parent disconnects.
 */
import { startStellarSandbox } from '../../sandboxes/stellar';
import { startTrustlessWorkSandbox } from '../../sandboxes/trustless-work';

export interface SandboxReady {
  type: 'ready';
  horizonUrl: string;
  networkPassphrase: string;
  usdcIssuer: string;
  friendbotUrl: string;
  usdcFaucetUrl: string;
  trustlessWorkUrl: string;
  trustlessWorkFactoryId: string;
}

async function main(): Promise<void> {
  const stellar = await startStellarSandbox({
    port: 0,
    ledgerIntervalMs: Number(process.env.BENCH_LEDGER_INTERVAL_MS),
    networkPassphrase: process.env.BENCH_NETWORK_PASSPHRASE,
  });
  // The bench sends every call with one key: far above the real 50 a minute, unless the run sets a limit (bench:burst).
  const tw = await startTrustlessWorkSandbox({
    port: 0,
    stellar,
    apiKey: process.env.TRUSTLESS_WORK_API_KEY!,
    requestsPerMinute: Number(process.env.BENCH_TW_REQUESTS_PER_MINUTE ?? 1_000_000_000),
  });
  // Asked over IPC: how many Trustless Work requests were let through and how many refused (429) so far.
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'trustless-work-counts') process.send!({ type: 'trustless-work-counts', ...tw.requestCounts() });
  });
  process.once(
    'disconnect',
    () =>
      void tw
        .stop()
        .then(() => stellar.stop())
        .then(() => process.exit(0)),
  );
  const ready: SandboxReady = {
    type: 'ready',
    horizonUrl: stellar.url,
    networkPassphrase: stellar.networkPassphrase,
    usdcIssuer: stellar.usdcAsset.issuer,
    friendbotUrl: stellar.friendbotUrl,
    usdcFaucetUrl: stellar.usdcFaucetUrl,
    trustlessWorkUrl: tw.url,
    trustlessWorkFactoryId: tw.factoryId,
  };
  process.send!(ready);
}

main().catch((err) => {
  console.error('sandbox:', err instanceof Error ? err.stack : err);
  process.exit(1);
});
