/**
 * The whole local stack for `npm start`: PostgreSQL (DATABASE_URL, or embedded under .data/), the Temporal dev server
 * (reused when one already listens on 7233), migrations, then the worker and the API as child processes whose logs are
 * tagged and merged here. Ctrl-C stops every part this script started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { runMigrations } from '../src/db/migrate';
import { walletSealingKey } from '../src/wallets/wallet-keys';
import { formatLine, lineSplitter } from '../devstack/log-lines';
import { isPortOpen } from '../devstack/net';
import { DATA_DIR, ROOT } from '../devstack/paths';
import { ensureDatabase, startEmbeddedPostgres } from '../devstack/postgres';
import { ensureTemporalCli } from '../devstack/temporal-cli';
import { startTemporalDevServer } from '../devstack/temporal-server';
import { startStellarSandbox, type StellarSandbox } from '../sandboxes/stellar';
import { startTrustlessWorkSandbox } from '../sandboxes/trustless-work';

const say = (part: string, line: string) => console.log(formatLine(part, line));
const stops: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];
let stopping = false;

async function main() {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  const temporalBin = ensureTemporalCli((l) => say('setup', l));
  say('setup', `Temporal CLI: ${temporalBin}`);

  env.OFFERHUB_MASTER_KEY ??= masterKey();
  env.PLATFORM_SECRET ??= kept('platform-secret', () => Keypair.random().secret());
  env.WALLET_ENCRYPTION_KEYS ??= kept('wallet-keys', () => `k1:${crypto.randomBytes(32).toString('base64')}`);
  env.IDEMPOTENCY_SEALING_KEYS ??= kept('idempotency-keys', () => `r1:${crypto.randomBytes(32).toString('base64')}`);
  const sandbox = await stellarSandbox(env);
  env.DATABASE_URL ??= await embeddedPostgres();
  env.TEMPORAL_ADDRESS ??= await temporalServer(temporalBin);
  await runMigrations(env.DATABASE_URL);
  say('setup', 'migrations applied');

  const port = env.PORT ?? '4000';
  spawnPart('worker', ['bin/worker.ts'], env);
  spawnPart('api', ['bin/api.ts'], apiEnv(env));
  await waitForApi(Number(port));
  banner(port, env.OFFERHUB_MASTER_KEY, !process.env.OFFERHUB_MASTER_KEY, sandbox);
}

/** The API seals and never signs: it gets the platform's account id and the wallet sealing key, not the secrets. */
function apiEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { PLATFORM_SECRET, WALLET_ENCRYPTION_KEYS, ...rest } = env;
  return {
    ...rest,
    PLATFORM_PUBLIC_KEY: rest.PLATFORM_PUBLIC_KEY ?? Keypair.fromSecret(PLATFORM_SECRET!).publicKey(),
    WALLET_SEALING_KEY:
      rest.WALLET_SEALING_KEY ??
      walletSealingKey({ WALLET_ENCRYPTION_KEYS, WALLET_ENCRYPTION_KEY_ID: rest.WALLET_ENCRYPTION_KEY_ID, WALLET_SEALING_KEY: undefined }),
  };
}

function masterKey(): string {
  const file = path.join(DATA_DIR, 'master-key');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `ohk_master_${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    say('setup', `generated a master key and kept it in ${file} (set OFFERHUB_MASTER_KEY to use your own)`);
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** A local secret made once and kept under .data/ (mode 600), so restarts keep the same identities. */
function kept(name: string, make: () => string): string {
  const file = path.join(DATA_DIR, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Without HORIZON_URL, runs the project's sandbox Stellar network on :8000 (state in .data/sandbox) and funds the
 * platform account from its friendbot; the USDC issuer is the sandbox's own.
 */
async function stellarSandbox(env: NodeJS.ProcessEnv): Promise<StellarSandbox | null> {
  if (env.HORIZON_URL) return null;
  const port = Number(env.SANDBOX_STELLAR_PORT ?? 8000);
  fs.mkdirSync(path.join(DATA_DIR, 'sandbox'), { recursive: true });
  const sandbox = await startStellarSandbox({
    port,
    dataFile: path.join(DATA_DIR, 'sandbox', 'stellar.json'),
    log: (l) => l.startsWith('horizon request') || say('sandbox', l),
  });
  stops.push(() => sandbox.stop());
  env.STELLAR_NETWORK = 'sandbox';
  env.HORIZON_URL = sandbox.url;
  env.USDC_ISSUER = sandbox.usdcAsset.issuer;
  const platform = Keypair.fromSecret(env.PLATFORM_SECRET!).publicKey();
  const found = await fetch(`${sandbox.url}/accounts/${platform}`);
  if (found.status === 404) {
    const funded = await fetch(`${sandbox.friendbotUrl}?addr=${platform}`);
    if (!funded.ok) throw new Error(`friendbot could not fund the platform account: ${funded.status}`);
    say('sandbox', `funded the platform account ${platform} from friendbot`);
  }
  say('sandbox', `Stellar sandbox (Horizon) on ${sandbox.url}, USDC issuer ${sandbox.usdcAsset.issuer}`);
  if (!env.TRUSTLESS_WORK_URL) {
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
    say('sandbox', `Trustless Work sandbox on ${tw.url}`);
  }
  return sandbox;
}

async function embeddedPostgres(): Promise<string> {
  const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
  const passwordFile = path.join(DATA_DIR, 'postgres-password');
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(16).toString('hex'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  if (await isPortOpen('127.0.0.1', port)) {
    say('postgres', `reusing the PostgreSQL already listening on 127.0.0.1:${port}`);
  } else {
    say('postgres', `starting embedded PostgreSQL on 127.0.0.1:${port} (data in .data/postgres)`);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port, password, log: (l) => say('postgres', l) });
    stops.push(() => pg.stop());
  }
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, 'offerhub');
  return `${base}/offerhub`;
}

async function temporalServer(bin: string): Promise<string> {
  if (await isPortOpen('127.0.0.1', 7233)) {
    say('temporal', 'reusing the Temporal server already listening on 127.0.0.1:7233');
    return '127.0.0.1:7233';
  }
  fs.mkdirSync(path.join(DATA_DIR, 'temporal'), { recursive: true });
  say('temporal', 'starting the Temporal dev server on 127.0.0.1:7233 (state in .data/temporal, Web UI on :8233)');
  const t = await startTemporalDevServer({
    bin,
    port: 7233,
    uiPort: 8233,
    dbFile: path.join(DATA_DIR, 'temporal', 'temporal.db'),
    onOutput: (l) => say('temporal', l),
  });
  stops.push(() => t.stop());
  return t.address;
}

function spawnPart(part: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on(
    'data',
    lineSplitter((l) => say(part, l)),
  );
  child.stderr.on(
    'data',
    lineSplitter((l) => say(part, l)),
  );
  child.on('exit', (code, signal) => {
    if (stopping) return;
    say('setup', `${part} exited (${signal ?? code}); stopping the stack`);
    void shutdown(1);
  });
  children.push(child);
}

async function waitForApi(port: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await isPortOpen('127.0.0.1', port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API did not open port ${port}`);
}

function banner(port: string, key: string, generated: boolean, sandbox: StellarSandbox | null): void {
  const api = `http://localhost:${port}`;
  console.log(`
  OFFER-HUB Orchestrator is running
    API             ${api}/api/v1   (health: ${api}/api/v1/health)
    API reference   ${api}/docs
    Temporal UI     http://localhost:8233
    Metrics         ${api}/metrics${
      sandbox
        ? `
    Stellar sandbox ${sandbox.url}   (USDC faucet: POST ${sandbox.usdcFaucetUrl} {"address": "G…", "amount": "100"})`
        : ''
    }
    Master key      ${key}${generated ? '   (generated; kept in .data/master-key)' : ''}

  Create your first API key:
    curl -s -X POST ${api}/api/v1/auth/api-keys \\
      -H "Authorization: Bearer ${key}" \\
      -H "Content-Type: application/json" \\
      -d '{"name": "My Marketplace", "scopes": ["read", "write"]}'

  Ctrl-C stops everything.
`);
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
