/**
 * The whole local stack for `npm start`: PostgreSQL (DATABASE_URL, or embedded under .data/), the Temporal dev server
 * (reused when one already listens on TEMPORAL_PORT, 7233), migrations, then the worker and the API as child processes
 * whose logs are tagged and merged here. The settings handed to them are kept in .data/stack-env.json while the stack
 * runs, where the scripts find them. Ctrl-C stops every part this script started.
 *
 * Start-up prints the banner, and warnings and errors only: PostgreSQL's, the Temporal server's and the sandboxes'
 * routine lines never reach the console, the API's and the worker's do once the banner is out (requests, deposits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { withTimeout } from '../src/async';
import { configSchema, loadConfig, providerEnabled, settingsIn } from '../src/config';
import { runMigrations } from '../src/db/migrate';
import { banner, shownPath, type StackInfo } from '../devstack/banner';
import { formatLine, isRoutine, lineSplitter, recordOf } from '../devstack/log-lines';
import { stackEnvFile, writeStackEnv } from '../devstack/local-env';
import { apiEnv } from '../devstack/process-env';
import { prepareRealNetwork, stackNetwork } from '../devstack/real-network';
import { isPortOpen, waitForPort } from '../devstack/net';
import { DATA_DIR, ROOT } from '../devstack/paths';
import { ensureDatabase, startEmbeddedPostgres } from '../devstack/postgres';
import { ensureTemporalCli } from '../devstack/temporal-cli';
import { startTemporalDevServer } from '../devstack/temporal-server';
import { ledgerIntervalFromEnv, startStellarSandbox } from '../sandboxes/stellar';
import { startTrustlessWorkSandbox } from '../sandboxes/trustless-work';
import { startAirtmSandbox } from '../sandboxes/airtm';
import { DEV_WITNESS_PRIVATE_KEY, PAYMENT_PLATFORM_SANDBOX_PORT, startPaymentPlatformSandbox } from '../sandboxes/payment-platform';
import { prepareTreasury } from '../src/treasury/treasury';
import { formatAmount, parseAmount } from '../src/money';

const say = (part: string, line: string) => console.log(formatLine(part, line));
const stops: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];
/** What the banner shows; filled in as the parts come up. */
const info: Partial<StackInfo> = {
  stellarSandbox: null,
  trustlessWorkSandbox: null,
  airtmSandbox: null,
  realNetwork: null,
  masterKeyFile: null,
};
let running = false;
let stopping = false;

async function main() {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  const temporalBin = ensureTemporalCli((l) => say('setup', l)); // says something only while building it, once

  info.masterKey = env.OFFERHUB_MASTER_KEY ??= masterKey();
  env.PLATFORM_SECRET ??= kept('platform-secret', () => Keypair.random().secret());
  env.WALLET_ENCRYPTION_KEYS ??= kept('wallet-keys', () => `k1:${crypto.randomBytes(32).toString('base64')}`);
  env.IDEMPOTENCY_SEALING_KEYS ??= kept('idempotency-keys', () => `r1:${crypto.randomBytes(32).toString('base64')}`);
  // A local stack: a marketplace may point a webhook at its own laptop (http, loopback, private addresses).
  env.WEBHOOKS_ALLOW_INSECURE_URLS ??= 'true';
  if (stackNetwork(env) === 'real') await realNetwork(env);
  else await sandboxes(env);
  await airtmSandbox(env);
  env.DATABASE_URL ??= await embeddedPostgres();
  env.TEMPORAL_ADDRESS ??= await temporalServer(temporalBin, env);
  const db = new URL(env.DATABASE_URL);
  info.postgres ??= `${db.host}${db.pathname}   (DATABASE_URL)`;
  info.temporal ??= `${env.TEMPORAL_ADDRESS}   (TEMPORAL_ADDRESS)`;
  info.temporalUi = env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
  await runMigrations(env.DATABASE_URL);
  if (info.stellarSandbox && info.airtmSandbox) await fillTreasury(env);
  stops.push(writeStackEnv(settingsIn(env))); // the scripts' way to this stack, removed first on the way down
  info.stackEnvFile = stackEnvFile();

  info.apiPort = env.PORT ?? '4000';
  info.metricsPort = env.METRICS_PORT ?? '9464';
  info.workerMetrics = env.WORKER_METRICS_ADDRESS ?? '127.0.0.1:9465';
  const workerPolling = spawnPart('worker', ['bin/worker.ts'], env, 'worker polling');
  void spawnPart('api', ['bin/api.ts'], apiEnv(env), 'api listening');
  await waitForPort('127.0.0.1', Number(info.apiPort), 60_000, 'the API');
  // The worker says so at level info; under a quieter LOG_LEVEL the banner does not wait for it.
  if (['info', 'debug', 'trace'].includes(env.LOG_LEVEL ?? 'info')) await withTimeout(workerPolling, 180_000, 'the worker start-up');
  console.log(banner(info as StackInfo));
  running = true;
}

function masterKey(): string {
  const file = path.join(DATA_DIR, 'master-key');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `ohk_master_${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  info.masterKeyFile = file;
  return fs.readFileSync(file, 'utf8').trim();
}

/** A local secret made once and kept under .data/ (mode 600), so restarts keep the same identities. */
function kept(name: string, make: () => string): string {
  const file = path.join(DATA_DIR, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * STELLAR_NETWORK=testnet or public: no sandbox; the network's preset URLs and USDC issuer (explicit variables win),
 * TRUSTLESS_WORK_API_KEY required, and the platform account created by the network's friendbot when it does not exist.
 */
async function realNetwork(env: NodeJS.ProcessEnv): Promise<void> {
  const { platform, funded } = await prepareRealNetwork(env);
  if (funded) say('setup', `created the platform account ${platform} with friendbot`);
  info.realNetwork = `${env.STELLAR_NETWORK}: Horizon ${env.HORIZON_URL}, Trustless Work ${env.TRUSTLESS_WORK_URL}, platform ${platform}`;
}

/**
 * Without HORIZON_URL, runs the project's sandbox Stellar network on :8000 (state in .data/sandbox) and funds the
 * platform account from its friendbot; the USDC issuer is the sandbox's own. Without TRUSTLESS_WORK_URL, the
 * Trustless Work sandbox on :8001 over it.
 */
async function sandboxes(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.HORIZON_URL) return;
  fs.mkdirSync(path.join(DATA_DIR, 'sandbox'), { recursive: true });
  const ledgerIntervalMs = ledgerIntervalFromEnv(env, 1000);
  const sandbox = await startStellarSandbox({
    port: Number(env.SANDBOX_STELLAR_PORT ?? 8000),
    ledgerIntervalMs,
    dataFile: path.join(DATA_DIR, 'sandbox', 'stellar.json'),
    log: (message, fields, level) => level === 'error' && say('sandbox', `${message} ${JSON.stringify(fields ?? {})}`),
  });
  stops.push(() => sandbox.stop());
  info.stellarSandbox = sandbox;
  env.STELLAR_NETWORK = 'sandbox';
  env.HORIZON_URL = sandbox.url;
  // The deposit watcher's default poll is the sandbox's usual 1 s close time: follow the configured one instead.
  env.DEPOSIT_POLL_INTERVAL_MS ??= String(ledgerIntervalMs);
  env.USDC_ISSUER = sandbox.usdcAsset.issuer;
  const platform = Keypair.fromSecret(env.PLATFORM_SECRET!).publicKey();
  const found = await fetch(`${sandbox.url}/accounts/${platform}`);
  if (found.status === 404) {
    const funded = await fetch(`${sandbox.friendbotUrl}?addr=${platform}`);
    if (!funded.ok) throw new Error(`friendbot could not fund the platform account: ${funded.status}`);
  }
  if (env.TRUSTLESS_WORK_URL) return;
  env.TRUSTLESS_WORK_API_KEY ??= kept('trustless-work-api-key', () => crypto.randomBytes(24).toString('hex'));
  const tw = await startTrustlessWorkSandbox({
    port: Number(env.SANDBOX_TRUSTLESS_WORK_PORT ?? 8001),
    stellar: sandbox,
    apiKey: env.TRUSTLESS_WORK_API_KEY,
    dataFile: path.join(DATA_DIR, 'sandbox', 'trustless-work.json'),
    // Default: the real limit, 50 requests a minute per key.
    ...(env.SANDBOX_TRUSTLESS_WORK_REQUESTS_PER_MINUTE
      ? { requestsPerMinute: Number(env.SANDBOX_TRUSTLESS_WORK_REQUESTS_PER_MINUTE) }
      : {}),
  });
  stops.push(() => tw.stop()); // stops run in reverse: Trustless Work before the network under it
  env.TRUSTLESS_WORK_URL = tw.url;
  env.TRUSTLESS_WORK_FACTORY_ID ??= tw.factoryId;
  info.trustlessWorkSandbox = tw.url;
  await paymentPlatformSandbox(env);
}

/**
 * The on-ramp's sandbox payment platform and witness on :8003 (SANDBOX_PAYMENT_PLATFORM_PORT): a person declares a fiat
 * payment on its page and gets a proof signed by the dev witness, which the worker is told to trust (ONRAMP_WITNESSES).
 * Only beside the sandbox network: a real network's on-ramp trusts real witnesses, configured by the operator.
 */
async function paymentPlatformSandbox(env: NodeJS.ProcessEnv): Promise<void> {
  const platform = await startPaymentPlatformSandbox({
    port: Number(env.SANDBOX_PAYMENT_PLATFORM_PORT ?? PAYMENT_PLATFORM_SANDBOX_PORT),
    witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY,
  });
  stops.push(() => platform.stop());
  env.ONRAMP_WITNESSES ??= platform.witnessAddress;
  info.paymentPlatformSandbox = { url: platform.url, witness: platform.witnessAddress };
}

/** The demo Airtm account the sandbox starts with (its balance only on the first start; later ones keep its state). */
const AIRTM_DEMO = { email: 'demo@airtm.test', balance: '1000.00' };

/**
 * PAYMENT_PROVIDER (default crypto,airtm) with airtm and no AIRTM_API_URL: the Airtm sandbox on :8002
 * (SANDBOX_AIRTM_PORT; state in .data/sandbox/airtm.json), its credentials and webhook secret kept under .data/, whose
 * signed webhooks reach this stack's API, with a demo account to pay from. Airtm mode needs all four AIRTM_ settings.
 */
async function airtmSandbox(env: NodeJS.ProcessEnv): Promise<void> {
  info.paymentProvider = env.PAYMENT_PROVIDER ??= 'crypto,airtm';
  if (!providerEnabled({ PAYMENT_PROVIDER: configSchema.shape.PAYMENT_PROVIDER.parse(env.PAYMENT_PROVIDER) }, 'airtm')) return;
  if (env.AIRTM_API_URL) return;
  env.AIRTM_API_KEY ??= kept('airtm-api-key', () => crypto.randomBytes(12).toString('hex'));
  env.AIRTM_API_SECRET ??= kept('airtm-api-secret', () => crypto.randomBytes(24).toString('hex'));
  env.AIRTM_WEBHOOK_SECRET ??= kept('airtm-webhook-secret', () => `whsec_${crypto.randomBytes(24).toString('base64')}`);
  const apiPort = env.PORT ?? '4000';
  const airtm = await startAirtmSandbox({
    port: Number(env.SANDBOX_AIRTM_PORT ?? 8002),
    apiKey: env.AIRTM_API_KEY,
    apiSecret: env.AIRTM_API_SECRET,
    webhookUrl: `http://127.0.0.1:${apiPort}/api/v1/webhooks/airtm`,
    webhookSecret: env.AIRTM_WEBHOOK_SECRET,
    dataFile: path.join(DATA_DIR, 'sandbox', 'airtm.json'),
    users: [{ ...AIRTM_DEMO, isVerified: true }],
  });
  stops.push(() => airtm.stop());
  env.AIRTM_API_URL = airtm.apiUrl;
  env.AIRTM_RETURN_URL ??= `http://localhost:${apiPort}/api/v1/airtm/return`;
  info.airtmSandbox = { url: airtm.url, demoEmail: AIRTM_DEMO.email };
}

/** Below this, the sandbox treasury is topped up from the faucet at start, to TREASURY_SANDBOX_FLOAT. */
const TREASURY_SANDBOX_FLOAT = '100000';

/**
 * The treasury that puts top-ups on chain (src/treasury/treasury.ts): created on the sandbox and given USDC from its
 * faucet, as an operator refills it from Airtm on a real network (docs/airtm.md, "Treasury").
 */
async function fillTreasury(env: NodeJS.ProcessEnv): Promise<void> {
  const treasury = await prepareTreasury(loadConfig(env));
  const want = parseAmount(TREASURY_SANDBOX_FLOAT);
  if (treasury.float < want / 10n) {
    const res = await fetch(info.stellarSandbox!.usdcFaucetUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: treasury.address, amount: formatAmount(want - treasury.float) }),
    });
    if (!res.ok) throw new Error(`the faucet could not fill the treasury: ${res.status} ${await res.text()}`);
  }
  info.treasury = treasury.address;
}

async function embeddedPostgres(): Promise<string> {
  const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
  const passwordFile = path.join(DATA_DIR, 'postgres-password');
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(16).toString('hex'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const where = `127.0.0.1:${port}/offerhub`;
  if (await isPortOpen('127.0.0.1', port)) {
    info.postgres = `${where}   (already running there: reused)`;
  } else {
    const dataDir = path.join(DATA_DIR, 'postgres');
    // Only its warnings and errors reach the console; what it says while we stop it is ours to expect.
    const pg = await startEmbeddedPostgres({ dataDir, port, password, log: (l) => stopping || say('postgres', l) });
    stops.push(() => pg.stop());
    info.postgres = `${where}   (embedded, data in ${shownPath(dataDir)})`;
  }
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, 'offerhub');
  return `${base}/offerhub`;
}

/** The Temporal dev server on TEMPORAL_PORT (7233) with its Web UI 1000 above, or the server already listening there. */
async function temporalServer(bin: string, env: NodeJS.ProcessEnv): Promise<string> {
  const port = Number(env.TEMPORAL_PORT ?? 7233);
  const address = `127.0.0.1:${port}`;
  if (await isPortOpen('127.0.0.1', port)) {
    info.temporal = `${address}   (already running there: reused)`;
    return address;
  }
  const dbFile = path.join(DATA_DIR, 'temporal', 'temporal.db');
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const uiPort = port + 1000;
  const t = await startTemporalDevServer({
    bin,
    port,
    uiPort,
    dbFile,
    onLog: (l) => stopping || isRoutine(l) || say('temporal', l), // pollers closing while it stops are expected
  });
  stops.push(() => t.stop());
  env.TEMPORAL_UI_URL ??= `http://localhost:${uiPort}`;
  info.temporal = `${t.address}   (dev server, state in ${shownPath(path.dirname(dbFile))})`;
  return t.address;
}

/** Runs a part; resolves when it logs `readyMessage`. Until the banner, only its warnings and errors are shown. */
function spawnPart(part: string, args: string[], env: NodeJS.ProcessEnv, readyMessage: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    say('setup', `${part} exited (${signal ?? code}); stopping the stack`);
    void shutdown(1);
  });
  return new Promise((resolve) => {
    const onLine = lineSplitter((line) => {
      if (recordOf(line)?.msg === readyMessage) resolve();
      if (running || !isRoutine(line)) say(part, line);
    });
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
  });
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('setup', 'stopping…');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  for (const stop of stops.reverse()) await stop().catch((err) => say('setup', `stop failed: ${err}`));
  process.exit(code);
}

process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM')));
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  say('setup', `start-up failed: ${err instanceof Error ? err.message : err}`);
  void shutdown(1);
});
