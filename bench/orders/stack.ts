/**
 * The stack the orders bench runs on, all its own and removed afterwards: PostgreSQL (a fresh embedded cluster under
 * .data/bench/, or a scratch database on DATABASE_URL's server), a Temporal dev server on a free port (SQLite file in
 * WAL mode, as `npm start` runs it), the Stellar and Trustless Work sandboxes (sandbox.ts), and as processes of their
 * own: the real API (src/server.ts), the real worker (src/worker.ts) and the baseline's worker (baseline-worker.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { prepareBenchDatabase } from '../shared/database';
import { forkPart, spawnPart, tailsOf, type Part } from '../shared/parts';
import { benchProductEnv } from '../shared/product-env';
import { Keypair } from '@stellar/stellar-sdk';
import { SYSTEM } from '../../src/audit/actor';
import { createApiKey } from '../../src/auth/api-keys-repository';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { freePort, waitForPort } from '../../devstack/net';
import { DATA_DIR, ROOT } from '../../devstack/paths';
import { ensureTemporalCli } from '../../devstack/temporal-cli';
import { startTemporalDevServer } from '../../devstack/temporal-server';
import { writeWorkflowBundle } from '../../worker/workflow-bundle';
import { childrenOf, type Groups } from '../api/cpu';
import type { SandboxReady } from '../shared/sandbox';

export interface BenchStackOptions {
  ledgerIntervalMs: number;
  /** Trustless Work's limit, enforced by its sandbox and kept by the worker; default out of reach. */
  trustlessWorkRequestsPerMinute?: number;
  updateTimeoutMs: number;
  log: (line: string) => void;
}

export interface BenchStack {
  apiUrl: string;
  /** Bearer token with the read and write scopes. */
  apiKey: string;
  usdcFaucetUrl: string;
  /** The sandbox's Horizon, and the platform account the worker runs with. */
  horizonUrl: string;
  /** The sandbox network's friendbot, passphrase and USDC issuer (for accounts outside the platform). */
  friendbotUrl: string;
  networkPassphrase: string;
  usdcIssuer: string;
  /** The application database the API and the worker use. */
  databaseUrl: string;
  platformPublicKey: string;
  temporalAddress: string;
  namespace: string;
  orderTaskQueue: string;
  baselineTaskQueue: string;
  /** Process ids by part, for CPU accounting. */
  cpuGroups: Groups;
  /** Trustless Work requests its sandbox let through and refused (429) so far. */
  trustlessWorkCounts(): Promise<{ admitted: number; refused: number }>;
  /** The last lines each part wrote, for when something fails. */
  tails(): string;
  /** Set when a part exited on its own; the run cannot be trusted after that. */
  crashed(): string | null;
  stop(): Promise<void>;
}

export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const { log } = opts;
  const stops: Array<() => Promise<void>> = [];
  const parts: Part[] = [];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((err) => log(`cleanup: ${err instanceof Error ? err.message : err}`));
  };
  try {
    const runDir = path.join(DATA_DIR, 'bench', `orders_${Date.now().toString(36)}`);
    fs.mkdirSync(runDir, { recursive: true });
    stops.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));

    const db = await prepareBenchDatabase({ name: `offerhub_bench_orders_${Date.now().toString(36)}`, runDir, cleanup: stops, log });
    await runMigrations(db.url);

    const temporalPort = await freePort();
    const temporal = await startTemporalDevServer({
      bin: ensureTemporalCli(log),
      port: temporalPort,
      dbFile: path.join(runDir, 'temporal.db'),
    });
    stops.push(() => temporal.stop());
    log(`Temporal: dev server on ${temporal.address} (SQLite in WAL mode under ${path.relative(ROOT, runDir)})`);

    const twApiKey = crypto.randomBytes(24).toString('hex');
    const twLimit = opts.trustlessWorkRequestsPerMinute ?? 1_000_000_000;
    const sandboxPart = forkPart('sandbox', path.join(__dirname, '..', 'shared', 'sandbox.ts'), {
      ...process.env,
      BENCH_LEDGER_INTERVAL_MS: String(opts.ledgerIntervalMs),
      BENCH_TW_REQUESTS_PER_MINUTE: String(twLimit),
      BENCH_NETWORK_PASSPHRASE: `Standalone Network ; February 2017 ; offerhub bench ${crypto.randomUUID()}`,
      TRUSTLESS_WORK_API_KEY: twApiKey,
    });
    parts.push(sandboxPart);
    stops.push(() => sandboxPart.stop());
    const sandbox = (await sandboxPart.ready) as SandboxReady;
    log(
      `sandbox: Stellar on ${sandbox.horizonUrl} (a ledger every ${opts.ledgerIntervalMs} ms), Trustless Work on ${sandbox.trustlessWorkUrl}`,
    );

    const platform = Keypair.random();
    const funded = await fetch(`${sandbox.friendbotUrl}?addr=${platform.publicKey()}`);
    if (!funded.ok) throw new Error(`friendbot answered ${funded.status}: ${await funded.text()}`);

    const port = await freePort();
    const orderTaskQueue = 'bench-orders';
    const env = benchProductEnv({
      port,
      workerMetricsPort: await freePort(),
      workflowBundlePath: await writeWorkflowBundle(path.join(runDir, 'workflow-bundle.js')),
      databaseUrl: db.url,
      temporalAddress: temporal.address,
      taskQueue: orderTaskQueue,
      platformSecret: platform.secret(),
      stellar: sandbox,
      trustlessWork: {
        url: sandbox.trustlessWorkUrl,
        apiKey: twApiKey,
        factoryId: sandbox.trustlessWorkFactoryId,
        requestsPerMinute: twLimit,
      },
      extra: {
        WORKFLOW_UPDATE_TIMEOUT_MS: String(opts.updateTimeoutMs),
        PAYMENT_PROVIDER: 'crypto', // the benches move money through Stellar only (Airtm would need its settings)
      },
    });
    const config = loadConfig(env); // a wrong setting fails here, naming the variable, rather than in a child

    const database = createDatabase(db.url, 1);
    const apiKey = await createApiKey(database.db, { name: 'bench orders', scopes: ['read', 'write'] }, SYSTEM).finally(() =>
      database.close(),
    );

    const worker = spawnPart('worker', 'bin/worker.ts', env, 'worker polling');
    const api = spawnPart('api', 'bin/api.ts', env, 'api listening');
    const baselineTaskQueue = 'bench-baseline';
    const baseline = forkPart('baseline-worker', path.join(__dirname, 'baseline-worker.ts'), {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      BENCH_BASELINE_TASK_QUEUE: baselineTaskQueue,
    });
    for (const p of [worker, api, baseline]) {
      parts.push(p);
      stops.push(() => p.stop());
    }
    await Promise.all([worker.ready, api.ready, baseline.ready]);
    await waitForPort('127.0.0.1', port, 10_000, 'API');
    log(`API on http://127.0.0.1:${port}, order worker on task queue ${orderTaskQueue}, baseline worker on ${baselineTaskQueue}`);

    const pid = (p: Part) => () => (p.child.pid ? [p.child.pid] : []);
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: apiKey.key,
      usdcFaucetUrl: sandbox.usdcFaucetUrl,
      horizonUrl: sandbox.horizonUrl,
      friendbotUrl: sandbox.friendbotUrl,
      networkPassphrase: sandbox.networkPassphrase,
      usdcIssuer: sandbox.usdcIssuer,
      databaseUrl: db.url,
      platformPublicKey: platform.publicKey(),
      temporalAddress: temporal.address,
      namespace: config.TEMPORAL_NAMESPACE,
      orderTaskQueue,
      baselineTaskQueue,
      cpuGroups: {
        api: pid(api),
        worker: pid(worker),
        'baseline-worker': pid(baseline),
        temporal: () => (temporal.process.pid ? [temporal.process.pid] : []),
        postgres: () => (db.postmasterPid ? [db.postmasterPid, ...childrenOf(db.postmasterPid)] : []),
        sandbox: pid(sandboxPart),
        client: () => [process.pid],
      },
      trustlessWorkCounts: () =>
        new Promise((resolve) => {
          const answer = (m: { type?: string; admitted: number; refused: number }) => {
            if (m?.type !== 'trustless-work-counts') return;
            sandboxPart.child.off('message', answer);
            resolve({ admitted: m.admitted, refused: m.refused });
          };
          sandboxPart.child.on('message', answer);
          sandboxPart.child.send({ type: 'trustless-work-counts' });
        }),
      tails: () => tailsOf(parts),
      crashed: () => parts.find((p) => p.exited)?.exited ?? null,
      stop,
    };
  } catch (err) {
    const tails = tailsOf(parts);
    if (tails) log(tails);
    await stop();
    throw err;
  }
}
