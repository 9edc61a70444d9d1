/**
 * The sandboxes under a bench, in a process of their own (forked by bench/orders/stack.ts and bench/chaos/stack.ts) so
 * that their work never shares an event loop with the client that times or drives the calls: a Stellar network in
 * memory, ledgers closing every BENCH_LEDGER_INTERVAL_MS, and Trustless Work over it; with BENCH_AIRTM (JSON of
 * BenchAirtmSettings) the Airtm sandbox too, and with BENCH_PAYMENT_PLATFORM=1 the on-ramp's payment platform and
 * witness (sandboxes/payment-platform, the dev witness key). Reports its URLs over IPC; stops when the parent disconnects.
 */
import { startAirtmSandbox } from '../../sandboxes/airtm';
import { DEV_WITNESS_PRIVATE_KEY, startPaymentPlatformSandbox } from '../../sandboxes/payment-platform';
import { startStellarSandbox } from '../../sandboxes/stellar';
import { startTrustlessWorkSandbox } from '../../sandboxes/trustless-work';

export interface BenchAirtmSettings {
  apiKey: string;
  apiSecret: string;
  webhookSecret: string;
  /** The API's POST /api/v1/webhooks/airtm. */
  webhookUrl: string;
  /** Waits before each webhook attempt (default Svix's schedule). */
  webhookScheduleMs?: number[];
}

export interface SandboxReady {
  type: 'ready';
  horizonUrl: string;
  networkPassphrase: string;
  usdcIssuer: string;
  friendbotUrl: string;
  usdcFaucetUrl: string;
  trustlessWorkUrl: string;
  trustlessWorkFactoryId: string;
  /** With BENCH_AIRTM: the sandbox's origin (`/v2`, `/_sandbox`, `/payin/{id}`). */
  airtmUrl?: string;
  /** With BENCH_PAYMENT_PLATFORM=1. */
  paymentPlatform?: { url: string; witnessAddress: string };
}

async function main(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const stellar = await startStellarSandbox({
    port: 0,
    ledgerIntervalMs: Number(process.env.BENCH_LEDGER_INTERVAL_MS),
    networkPassphrase: process.env.BENCH_NETWORK_PASSPHRASE,
  });
  stops.push(() => stellar.stop());
  // The bench sends every call with one key: far above the real 50 a minute, unless the run sets a limit (bench:burst).
  const tw = await startTrustlessWorkSandbox({
    port: 0,
    stellar,
    apiKey: process.env.TRUSTLESS_WORK_API_KEY!,
    requestsPerMinute: Number(process.env.BENCH_TW_REQUESTS_PER_MINUTE ?? 1_000_000_000),
  });
  stops.push(() => tw.stop());
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
  if (process.env.BENCH_AIRTM) {
    const settings = JSON.parse(process.env.BENCH_AIRTM) as BenchAirtmSettings;
    // The bench's calls all carry one key: Airtm's 10 a second would refuse them for the load, not for a fault.
    const airtm = await startAirtmSandbox({ port: 0, ...settings, requestsPerSecond: 1_000_000 });
    stops.push(() => airtm.stop());
    ready.airtmUrl = airtm.url;
  }
  if (process.env.BENCH_PAYMENT_PLATFORM === '1') {
    const platform = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY });
    stops.push(() => platform.stop());
    ready.paymentPlatform = { url: platform.url, witnessAddress: platform.witnessAddress };
  }
  // Asked over IPC: how many Trustless Work requests were let through and how many refused (429) so far.
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'trustless-work-counts') process.send!({ type: 'trustless-work-counts', ...tw.requestCounts() });
  });
  process.once('disconnect', () => {
    void (async () => {
      for (const stop of stops.reverse()) await stop();
      process.exit(0);
    })();
  });
  process.send!(ready);
}

main().catch((err) => {
  console.error('sandbox:', err instanceof Error ? err.stack : err);
  process.exit(1);
});
