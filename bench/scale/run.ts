/**
 * Scale bench: the worker's memory with many open order workflows, and what a step costs on an order the worker
 * evicted from its cache. Creates BENCH_ORDERS orders (10,000 by default) through the real REST API and leaves them
 * waiting (ORDER_CREATED), then reads the worker process's resident memory (Linux /proc) against the same worker idle
 * before them, and times `POST /orders/{id}/cancel` on the oldest orders (evicted: WORKER_MAX_CACHED_WORKFLOWS is
 * below the order count, so each is replayed from its history) against the newest (cached), in the same run.
 * Aims (issue 13): at most 500 MB resident with 10,000 open orders; the evicted step's latency is reported beside the
 * cached one. `npm run bench:scale`; see bench/README.md.
 */
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { apiClient, expectStatus } from '../orders/api-client';
import { setUpPairs } from '../orders/parties';
import { startBenchStack } from '../orders/stack';
import { summarise, timed } from '../orders/stats';
import { envNumber } from '../shared/env';

const ORDERS = envNumber('BENCH_ORDERS', 10_000);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 32);
const CACHE = envNumber('BENCH_MAX_CACHED_WORKFLOWS', 250); // the worker's default (WORKER_MAX_CACHED_WORKFLOWS)
const SAMPLES = envNumber('BENCH_SAMPLES', 20);
const AIM_RSS_MB = 500;

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Resident memory of a process in MB (VmRSS in /proc/<pid>/status). */
function rssMb(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  process.env.WORKER_MAX_CACHED_WORKFLOWS = String(CACHE); // passed to the worker process by the stack
  const stack = await startBenchStack({ ledgerIntervalMs: 100, updateTimeoutMs: 60_000, log });
  try {
    const api = apiClient(stack.apiUrl, stack.apiKey);
    const [pair] = await setUpPairs(api, stack.usdcFaucetUrl, 1, '1', 300_000);
    const workerPid = stack.cpuGroups.worker()[0];
    await settle(3_000);
    const idle = rssMb(workerPid);
    log(`worker idle: ${idle.toFixed(0)} MB resident (cache bounded at ${CACHE} workflows)`);

    const ids: string[] = new Array(ORDERS);
    const calls: Record<string, number[]> = { create: [], 'cancel cached': [], 'cancel evicted': [] };
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < ORDERS; i = next++) {
          const res = await timed(calls, 'create', () =>
            api.post('/orders', { buyer_id: pair.buyer, seller_id: pair.seller, amount: '1', currency: 'USD', title: `Scale ${i}` }),
          );
          ids[i] = expectStatus('POST /orders', res, 201).body.data.id;
          if (i % 1000 === 999) log(`  ${i + 1} orders open, worker ${rssMb(workerPid).toFixed(0)} MB`);
        }
      }),
    );
    const createS = (performance.now() - t0) / 1000;
    // The API answers a creation once its workflow started; the worker runs each one's first task later. Memory is read
    // once that backlog is gone (what 10,000 orders cost left waiting), with its peak while it ran beside it.
    const peak = await drained(stack.temporalAddress, stack.namespace, stack.orderTaskQueue, () => rssMb(workerPid));
    await settle(5_000);
    const loaded = rssMb(workerPid);

    // The newest orders ran last: cached. The oldest were evicted once CACHE newer ones ran.
    for (const id of ids.slice(-SAMPLES))
      expectStatus('cancel', await timed(calls, 'cancel cached', () => api.post(`/orders/${id}/cancel`)), 200);
    for (const id of ids.slice(0, SAMPLES))
      expectStatus('cancel', await timed(calls, 'cancel evicted', () => api.post(`/orders/${id}/cancel`)), 200);

    const s = Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, summarise(v)]));
    log(`\n${ORDERS} orders created in ${createS.toFixed(1)} s (${(ORDERS / createS).toFixed(0)}/s, ${CONCURRENCY} at once)`);
    log('call            p50 ms   p99 ms   calls');
    for (const [k, v] of Object.entries(s))
      log(`${k.padEnd(14)} ${v.p50.toFixed(1).padStart(7)} ${v.p99.toFixed(1).padStart(8)} ${String(v.calls).padStart(7)}`);
    const ratioLatency = s['cancel evicted'].p50 / s['cancel cached'].p50;
    log(
      `\nworker resident: idle ${idle.toFixed(0)} MB, with ${ORDERS} open orders ${loaded.toFixed(0)} MB (ratio ${(loaded / idle).toFixed(2)}); ` +
        `peak ${peak.toFixed(0)} MB while the worker ran their first tasks`,
    );
    log(`aim: at most ${AIM_RSS_MB} MB with ${ORDERS} open orders: ${loaded <= AIM_RSS_MB ? 'met' : 'NOT met'}`);
    log(`step on an evicted order / on a cached one (p50): ${ratioLatency.toFixed(2)}`);
    log(
      JSON.stringify({
        bench: 'scale',
        orders: ORDERS,
        cache: CACHE,
        idleMb: idle,
        loadedMb: loaded,
        peakMb: peak,
        rssRatio: loaded / idle,
        calls: s,
        evictedOverCached: ratioLatency,
      }),
    );
  } finally {
    await stack.stop();
  }
}

/**
 * Waits until the order task queue has no workflow task waiting (Temporal's approximate backlog count, DescribeTaskQueue
 * with report_stats), logging the worker's memory as it goes; answers the highest resident memory seen.
 */
async function drained(address: string, namespace: string, taskQueue: string, rss: () => number): Promise<number> {
  const connection = await Connection.connect({ address });
  let peak = rss();
  try {
    for (let i = 0; ; i++) {
      const { stats } = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        reportStats: true,
      });
      const backlog = Number(stats?.approximateBacklogCount ?? 0);
      peak = Math.max(peak, rss());
      if (i % 10 === 0) log(`  backlog ${backlog} workflow tasks, worker ${rss().toFixed(0)} MB`);
      if (backlog === 0) return peak;
      await settle(1_000);
    }
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
