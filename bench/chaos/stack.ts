/**
 * The stack a chaos run drives, all its own and removed afterwards, every part restartable on the same port: an
 * embedded PostgreSQL cluster under .data/bench/chaos_*, the Temporal dev server on a SQLite file there, the sandboxes
 * (Stellar with a ledger every `ledgerMs`, Trustless Work, Airtm, the on-ramp's payment platform) in a process of their
 * own, a fault proxy in front of Horizon, Trustless Work and Airtm's API (the worker and the API call through it; the
 * lifecycles get the sandboxes straight), the real worker and API as processes (PAYMENT_PROVIDER=crypto,airtm, with
 * CHAOS_SETTINGS), and the webhook receiver registered as an outbound webhook endpoint.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { SYSTEM } from '../../src/audit/actor';
import { createApiKey } from '../../src/auth/api-keys-repository';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { formatAmount, parseAmount } from '../../src/money';
import { prepareTreasury } from '../../src/treasury/treasury';
import { formatLine, isRoutine } from '../../devstack/log-lines';
import { freePort, waitForPort } from '../../devstack/net';
import { DATA_DIR, ROOT } from '../../devstack/paths';
import { ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from '../../devstack/postgres';
import { apiEnv } from '../../devstack/process-env';
import { ensureTemporalCli } from '../../devstack/temporal-cli';
import { startTemporalDevServer, type RunningTemporal } from '../../devstack/temporal-server';
import { benchCleanup } from '../shared/cleanup';
import { writeWorkflowBundle } from '../../worker/workflow-bundle';
import { forkPart, spawnPart, tailsOf, type Part } from '../shared/parts';
import { benchProductEnv } from '../shared/product-env';
import type { BenchAirtmSettings, SandboxReady } from '../shared/sandbox';
import { startFaultProxy, type FaultProxy, type ProxiedService } from './fault-proxy';
import { childRandom, seededRandom } from './random';
import { CHAOS_SETTINGS } from './settings';
import type { ChaosEndpoints, WebhookDelivery } from './types';
import { startWebhookReceiver } from './webhook-receiver';

export type RestartablePart = 'worker' | 'api' | 'temporal' | 'postgres';

export interface ChaosStack {
  endpoints: ChaosEndpoints;
  /** The settings the worker runs with (the API's are these less the signing secrets). */
  processEnv: NodeJS.ProcessEnv;
  /** Kills (or stops) the part and starts it again on the same port with the same data; answers how long it took. */
  restart(part: RestartablePart): Promise<number>;
  proxies: Record<ProxiedService, FaultProxy>;
  /** A call to the Airtm sandbox's own controls (`/_sandbox/{path}`). */
  airtmControl(path: string, body?: unknown): Promise<unknown>;
  webhookDeliveries(): WebhookDelivery[];
  /** The signing secret `POST /webhooks` answered (once) for the receiver's endpoint. */
  webhookSecrets: string[];
  /** The last lines each part wrote (across its restarts), for when something fails. */
  tails(): string;
  /** Set when a part exited on its own. */
  crashed(): string | null;
  stop(): Promise<void>;
}

/** Keeps the last lines of a part that is not a Part (the Temporal dev server's warnings). */
function keep(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 30) lines.shift();
}

/** The sandbox treasury's float: enough for every top-up of a long run. */
const TREASURY_FLOAT = '1000000';

export async function startChaosStack(opts: { ledgerMs: number; seed: number; log: (line: string) => void }): Promise<ChaosStack> {
  const { log } = opts;
  const random = seededRandom(opts.seed ^ 0x5eed); // the proxies' draws, apart from the plan's and the lifecycles'
  const { cleanup: stops, stopAll: stop } = benchCleanup(log); // Ctrl-C too
  const parts: Partial<Record<'sandbox' | 'worker' | 'api', Part>> = {};
  const lines: Record<'worker' | 'api', string[]> = { worker: [], api: [] };
  const temporalLines: string[] = [];
  const tails = () => [tailsOf(Object.values(parts)), ...temporalLines].filter(Boolean).join('\n');
  try {
    const runDir = path.join(DATA_DIR, 'bench', `chaos_${Date.now().toString(36)}`);
    fs.mkdirSync(runDir, { recursive: true });
    stops.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));

    // PostgreSQL: a cluster of its own, so that a restart stops nobody else's.
    const pgSettings = { dataDir: path.join(runDir, 'postgres'), port: await freePort(), password: crypto.randomBytes(12).toString('hex') };
    let pg: RunningPostgres = await startEmbeddedPostgres(pgSettings);
    stops.push(() => pg.stop());
    await ensureDatabase(pg.adminUrl, 'offerhub_chaos');
    const databaseUrl = pg.urlFor('offerhub_chaos');
    await runMigrations(databaseUrl);
    log(`PostgreSQL: embedded on 127.0.0.1:${pgSettings.port}, data in ${path.relative(ROOT, pgSettings.dataDir)}`);

    const temporalSettings = {
      bin: ensureTemporalCli(log),
      port: await freePort(),
      dbFile: path.join(runDir, 'temporal.db'),
      onLog: (line: string) => isRoutine(line) || keep(temporalLines, formatLine('temporal', line)),
    };
    let temporal: RunningTemporal = await startTemporalDevServer(temporalSettings);
    stops.push(() => temporal.stop());
    log(`Temporal: dev server on ${temporal.address} (SQLite in WAL mode under ${path.relative(ROOT, runDir)})`);

    const receiver = await startWebhookReceiver();
    stops.push(() => receiver.stop());

    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const twApiKey = crypto.randomBytes(24).toString('hex');
    const airtmSettings: BenchAirtmSettings = {
      apiKey: crypto.randomBytes(12).toString('hex'),
      apiSecret: crypto.randomBytes(24).toString('hex'),
      webhookSecret: `whsec_${crypto.randomBytes(24).toString('base64')}`,
      webhookUrl: `${apiUrl}/api/v1/webhooks/airtm`,
    };
    const sandboxPart = forkPart('sandbox', path.join(__dirname, '..', 'shared', 'sandbox.ts'), {
      ...process.env,
      BENCH_LEDGER_INTERVAL_MS: String(opts.ledgerMs),
      BENCH_NETWORK_PASSPHRASE: `Standalone Network ; February 2017 ; offerhub chaos ${crypto.randomUUID()}`,
      TRUSTLESS_WORK_API_KEY: twApiKey,
      BENCH_AIRTM: JSON.stringify(airtmSettings),
      BENCH_PAYMENT_PLATFORM: '1',
    });
    parts.sandbox = sandboxPart;
    stops.push(() => sandboxPart.stop());
    const sandbox = (await sandboxPart.ready) as SandboxReady & Required<Pick<SandboxReady, 'airtmUrl' | 'paymentPlatform'>>;
    log(`sandboxes: Stellar ${sandbox.horizonUrl} (a ledger every ${opts.ledgerMs} ms), Trustless Work ${sandbox.trustlessWorkUrl}`);
    log(`sandboxes: Airtm ${sandbox.airtmUrl}, payment platform ${sandbox.paymentPlatform.url}`);

    const proxies = {} as Record<ProxiedService, FaultProxy>;
    const targets: Record<ProxiedService, string> = {
      horizon: sandbox.horizonUrl,
      'trustless-work': sandbox.trustlessWorkUrl,
      airtm: `${sandbox.airtmUrl}/v2`,
    };
    for (const [service, target] of Object.entries(targets) as Array<[ProxiedService, string]>) {
      const proxy = await startFaultProxy({ service, target, random: childRandom(random) });
      proxies[service] = proxy;
      stops.push(() => proxy.stop());
    }

    const platform = Keypair.random();
    const funded = await fetch(`${sandbox.friendbotUrl}?addr=${platform.publicKey()}`);
    if (!funded.ok) throw new Error(`friendbot answered ${funded.status}: ${await funded.text()}`);

    // The workflows bundled once, as the production image does: a restarted worker loads the file instead of bundling.
    const bundleStarted = Date.now();
    const workflowBundlePath = await writeWorkflowBundle(path.join(runDir, 'workflows.js'));
    log(`workflows bundled in ${Date.now() - bundleStarted} ms`);
    const env = benchProductEnv({
      port,
      workerMetricsPort: await freePort(),
      workflowBundlePath,
      databaseUrl,
      temporalAddress: temporal.address,
      taskQueue: 'chaos',
      platformSecret: platform.secret(),
      stellar: { ...sandbox, horizonUrl: proxies.horizon.url },
      trustlessWork: {
        url: proxies['trustless-work'].url,
        apiKey: twApiKey,
        factoryId: sandbox.trustlessWorkFactoryId,
        requestsPerMinute: 1e9,
      },
      extra: {
        PAYMENT_PROVIDER: 'crypto,airtm',
        AIRTM_API_URL: proxies.airtm.url,
        AIRTM_API_KEY: airtmSettings.apiKey,
        AIRTM_API_SECRET: airtmSettings.apiSecret,
        AIRTM_WEBHOOK_SECRET: airtmSettings.webhookSecret,
        AIRTM_REQUESTS_PER_SECOND: '1000000',
        AIRTM_RETURN_URL: `${apiUrl}/api/v1/airtm/return`,
        ONRAMP_WITNESSES: sandbox.paymentPlatform.witnessAddress,
        DEPOSIT_POLL_INTERVAL_MS: String(opts.ledgerMs), // as npm start does: the deposit watcher follows the ledger
        WEBHOOKS_ALLOW_INSECURE_URLS: 'true', // the receiver listens on http://127.0.0.1
        ...CHAOS_SETTINGS,
      },
    });
    const config = loadConfig(env); // a wrong setting fails here, naming the variable, rather than in a child

    const treasury = await prepareTreasury(config);
    const faucet = await fetch(sandbox.usdcFaucetUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: treasury.address, amount: formatAmount(parseAmount(TREASURY_FLOAT)) }),
    });
    if (!faucet.ok) throw new Error(`the faucet could not fill the treasury: ${faucet.status} ${await faucet.text()}`);

    const database = createDatabase(databaseUrl, 1);
    const [write, support] = await Promise.all([
      createApiKey(database.db, { name: 'chaos write', scopes: ['read', 'write'] }, SYSTEM),
      createApiKey(database.db, { name: 'chaos support', scopes: ['read', 'write', 'support'] }, SYSTEM),
    ]).finally(() => database.close());

    const startWorker = () => (parts.worker = spawnPart('worker', 'bin/worker.ts', env, 'worker polling', lines.worker));
    const startApi = () => (parts.api = spawnPart('api', 'bin/api.ts', apiEnv(env), 'api listening', lines.api));
    stops.push(() => parts.worker?.stop() ?? Promise.resolve());
    stops.push(() => parts.api?.stop() ?? Promise.resolve());
    await Promise.all([startWorker().ready, startApi().ready]);
    await waitForPort('127.0.0.1', port, 10_000, 'API');
    log(`API on ${apiUrl}, worker on task queue chaos`);

    const hook = await fetch(`${apiUrl}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${write.key}`, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ url: receiver.url, events: ['*'], description: 'chaos receiver' }),
    });
    if (hook.status !== 201) throw new Error(`registering the webhook receiver answered ${hook.status}: ${await hook.text()}`);
    const webhookSecret = ((await hook.json()) as { data: { secret: string } }).data.secret;
    log(`webhook receiver on ${receiver.url}, registered for every event`);

    const restarts: Record<RestartablePart, () => Promise<void>> = {
      async worker() {
        await parts.worker!.kill();
        await startWorker().ready;
      },
      async api() {
        await parts.api!.kill();
        await startApi().ready;
        await waitForPort('127.0.0.1', port, 30_000, 'API');
      },
      async temporal() {
        await temporal.stop();
        temporal = await startTemporalDevServer(temporalSettings);
      },
      async postgres() {
        await pg.stop();
        pg = await startEmbeddedPostgres(pgSettings);
      },
    };
    const airtmBasic = Buffer.from(`${airtmSettings.apiKey}:${airtmSettings.apiSecret}`).toString('base64');

    return {
      endpoints: {
        apiUrl,
        keys: { write: write.key, support: support.key },
        stellar: {
          horizonUrl: sandbox.horizonUrl,
          friendbotUrl: sandbox.friendbotUrl,
          usdcFaucetUrl: sandbox.usdcFaucetUrl,
          networkPassphrase: sandbox.networkPassphrase,
          usdcIssuer: sandbox.usdcIssuer,
        },
        // Its API (`…/v2`, what AIRTM_API_URL holds, straight); the `/_sandbox/*` controls are under its origin.
        airtm: { apiUrl: `${sandbox.airtmUrl}/v2`, basic: airtmBasic },
        paymentPlatformUrl: sandbox.paymentPlatform.url,
        webhookReceiverUrl: receiver.url,
        databaseUrl,
        temporal: { address: temporal.address, namespace: config.TEMPORAL_NAMESPACE },
      },
      processEnv: env,
      async restart(part) {
        const started = Date.now();
        await restarts[part]();
        return Date.now() - started;
      },
      proxies,
      async airtmControl(control, body = {}) {
        const res = await fetch(`${sandbox.airtmUrl}/_sandbox/${control}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${airtmBasic}` },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`Airtm sandbox /_sandbox/${control} answered ${res.status}: ${text}`);
        return text ? JSON.parse(text) : undefined;
      },
      webhookDeliveries: () => receiver.deliveries(),
      webhookSecrets: [webhookSecret],
      tails,
      crashed: () => Object.values(parts).find((p) => p.exited)?.exited ?? null,
      stop,
    };
  } catch (err) {
    const t = tails();
    if (t) log(t);
    await stop();
    throw err;
  }
}
