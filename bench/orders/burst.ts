/**
 * Burst bench (issue 13 §4): BENCH_ORDERS full order lifecycles (100 by default) sent all at once while the Trustless
 * Work sandbox enforces a request limit per minute and the worker paces the escrow steps to the same limit
 * (TRUSTLESS_WORK_REQUESTS_PER_MINUTE). Every lifecycle must end RELEASED with no step failed; the run reports the
 * time the burst took, the Trustless Work requests let through and refused (429), and the ratio of the time taken to
 * the floor the limit sets (requests made / limit): 1 would be the limit used to the last request. The real limit is
 * 50 a minute (BENCH_TW_REQUESTS_PER_MINUTE=50: about 25 minutes for 100 lifecycles); the default, 600, keeps the run
 * near three minutes while the queue still holds the burst back. `npm run bench:burst`; see bench/README.md.
 */
import { apiClient } from './api-client';
import { checkReleased, runOrders } from './lifecycle';
import { outcomesFor } from './outcomes';
import { setUpPairs } from './parties';
import { startBenchStack } from './stack';
import { summarise } from './stats';
import { envNumber } from '../shared/env';

const ORDERS = envNumber('BENCH_ORDERS', 100);
const LIMIT = envNumber('BENCH_TW_REQUESTS_PER_MINUTE', 600);
const LEDGER_INTERVAL_MS = envNumber('BENCH_LEDGER_INTERVAL_MS', 100);
const SETUP_TIMEOUT_S = envNumber('BENCH_SETUP_TIMEOUT_SECONDS', 600);
const AMOUNT = '10';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const stack = await startBenchStack({
    ledgerIntervalMs: LEDGER_INTERVAL_MS,
    updateTimeoutMs: 60_000,
    trustlessWorkRequestsPerMinute: LIMIT,
    log,
  });
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(130)));
  let failed: boolean;
  try {
    const api = apiClient(stack.apiUrl, stack.apiKey);
    const outcomes = await outcomesFor(stack.apiUrl, stack.apiKey, api);
    const t0 = Date.now();
    const pairs = await setUpPairs(api, stack.usdcFaucetUrl, ORDERS, AMOUNT, SETUP_TIMEOUT_S * 1000);
    log(
      `set-up (not measured): ${pairs.length * 2} users with active wallets, buyers funded, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const before = await stack.trustlessWorkCounts();
    // A step may wait in the paced queue behind every other lifecycle's: give it the whole burst's floor and more.
    const stepWaitMs = Math.max(120_000, ((ORDERS * 12) / LIMIT) * 60_000 * 3);
    const burst = await runOrders(api, outcomes, pairs, AMOUNT, stepWaitMs);
    outcomes.close();
    const after = await stack.trustlessWorkCounts();
    const wrong = await checkReleased(api, burst.orderIds);

    const admitted = after.admitted - before.admitted;
    const refused = after.refused - before.refused;
    const floorS = (admitted / LIMIT) * 60;
    const wallS = burst.wallMs / 1000;
    log('');
    log(`${ORDERS} lifecycles sent at once; Trustless Work allows ${LIMIT} requests a minute; a ledger every ${LEDGER_INTERVAL_MS} ms`);
    log(`  completed RELEASED: ${burst.orderIds.length - wrong.length - burst.errors.length} of ${ORDERS}`);
    log(`  burst took ${wallS.toFixed(1)} s; Trustless Work requests: ${admitted} let through, ${refused} refused (429)`);
    log(`  floor set by the limit: ${floorS.toFixed(1)} s (${admitted} requests / ${LIMIT} a minute)`);
    log(`  time ratio burst/floor: ${(wallS / floorS).toFixed(2)} (1.00 = the limit used to the last request)`);
    for (const [name, calls] of Object.entries(burst.calls)) {
      const c = summarise(calls);
      log(`  ${name.padEnd(8)} answer p50 ${c.p50.toFixed(0).padStart(6)} ms  p99 ${c.p99.toFixed(0).padStart(6)} ms`);
    }
    const problems = [...burst.errors, ...wrong, ...(refused > 0 ? [`${refused} Trustless Work requests refused with 429`] : [])];
    for (const p of problems.slice(0, 20)) log(`  problem: ${p}`);
    failed = problems.length > 0;
    log(
      JSON.stringify({
        bench: 'burst',
        orders: ORDERS,
        limitPerMinute: LIMIT,
        ledgerIntervalMs: LEDGER_INTERVAL_MS,
        completed: burst.orderIds.length - wrong.length - burst.errors.length,
        wallSeconds: wallS,
        twAdmitted: admitted,
        twRefused: refused,
        floorSeconds: floorS,
        ratio: wallS / floorS,
      }),
    );
    if (failed) log(stack.tails());
  } finally {
    await stack.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
