import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { loadConfig } from '../../src/config';
import { walletSealingKey } from '../../src/wallets/wallet-keys';
import { treasuryKeypair } from '../../src/treasury/treasury';
import { ledgerIntervalFromEnv, startStellarSandbox, type StellarSandbox } from '../../sandboxes/stellar';
import { startTrustlessWorkSandbox, type TrustlessWorkSandbox } from '../../sandboxes/trustless-work';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startWorker } from '../../worker/worker';
import { startTestApi, type TestApi, unique } from './app';
import { spawnWorkerProcess } from './worker-process';

export interface StellarStack {
  api: TestApi;
  sandbox: StellarSandbox;
  /** The stack's Trustless Work sandbox (its API key is in `overrides`). */
  trustlessWork: TrustlessWorkSandbox;
  horizon: Horizon.Server;
  usdc: Asset;
  platform: Keypair;
  overrides: Record<string, string>;
  /** Starts (again) a worker on this stack's task queue, in this process. */
  startWorker(): Promise<Awaited<ReturnType<typeof startWorker>>>;
  /** Starts a worker as its own process (`src/worker.ts`), which a test may SIGKILL to simulate a crash. */
  /** `env` adds to the worker's environment (its metrics endpoint is off unless WORKER_METRICS_ADDRESS is given). */
  startWorkerProcess(env?: Record<string, string>): Promise<ChildProcess>;
  /** A funded outside account with a USDC trustline (unless `trust` is false). */
  outsideAccount(trust?: boolean): Promise<Keypair>;
  faucet(address: string, amount: string): Promise<void>;
  /** Creates a user through the API and waits until its wallet is active on chain. */
  activeUser(key: string, timeoutMs?: number): Promise<{ id: string; address: string }>;
  /** The user's USD balance line as the API reports it. */
  balance(key: string, userId: string): Promise<{ currency: string; available: string; held: string }>;
  usdcBalance(address: string): Promise<string | null>;
  stop(): Promise<void>;
}

/** What test stacks allow per Trustless Work API key and minute (the sandbox's default is the real 50). */
export const TW_TEST_REQUESTS_PER_MINUTE = 100_000;

/** The real API and a real worker on their own task queue, talking to a sandbox Stellar network of their own. */
export async function startStellarStack(
  extra: Record<string, string> = {},
  opts: { inProcessWorker?: boolean } = {},
): Promise<StellarStack> {
  quietTemporalRuntime();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offerhub-sandbox-'));
  // Each stack is its own network (as a real one, its operation ids start again from its first ledger): give it its
  // own passphrase, so that suites sharing the run's database never mistake one network's payments for another's.
  const networkPassphrase = `Standalone Network ; February 2017 ; ${unique('test-network')}`;
  // 100 ms ledgers keep the suites fast; SANDBOX_LEDGER_INTERVAL_MS=5000 runs them at the real network's pace.
  const ledgerIntervalMs = ledgerIntervalFromEnv(process.env, 100);
  const sandbox = await startStellarSandbox({
    port: 0,
    ledgerIntervalMs,
    dataFile: path.join(dir, 'stellar.json'),
    networkPassphrase,
  });
  const horizon = new Horizon.Server(sandbox.url, { allowHttp: true });
  const platform = Keypair.random();
  await friendbot(sandbox, platform.publicKey());
  const twKey = unique('tw-key');
  // The real limit is 50 requests a minute per key (the sandbox's default); a suite's bursts of orders go above it.
  const trustlessWork = await startTrustlessWorkSandbox({
    port: 0,
    stellar: sandbox,
    apiKey: twKey,
    requestsPerMinute: TW_TEST_REQUESTS_PER_MINUTE,
  });
  const overrides = {
    TRUSTLESS_WORK_URL: trustlessWork.url,
    TRUSTLESS_WORK_API_KEY: twKey,
    TRUSTLESS_WORK_FACTORY_ID: trustlessWork.factoryId,
    // The orchestrator paces its escrow steps to the same limit the sandbox enforces.
    TRUSTLESS_WORK_REQUESTS_PER_MINUTE: String(TW_TEST_REQUESTS_PER_MINUTE),
    STELLAR_NETWORK: 'sandbox',
    STELLAR_NETWORK_PASSPHRASE: networkPassphrase,
    HORIZON_URL: sandbox.url,
    USDC_ISSUER: sandbox.usdcAsset.issuer,
    PLATFORM_SECRET: platform.secret(),
    TEMPORAL_TASK_QUEUE: unique('tq'),
    DEPOSIT_POLL_INTERVAL_MS: String(ledgerIntervalMs),
    WEBHOOKS_ALLOW_INSECURE_URLS: 'true',
    // A synchronous submission is answered when its ledger closes: wait for a few closes before retrying.
    STELLAR_SUBMIT_TIMEOUT_MS: String(Math.max(5000, 3 * ledgerIntervalMs)),
    ...extra,
  };
  const config = loadConfig({ ...process.env, ...overrides });
  // The API runs as in production: the platform's public key and the wallet sealing key, no secret it could sign or open with.
  const api = await startTestApi({
    ...overrides,
    PLATFORM_SECRET: undefined,
    PLATFORM_PUBLIC_KEY: platform.publicKey(),
    TREASURY_PUBLIC_KEY: treasuryKeypair(platform).publicKey(),
    WALLET_ENCRYPTION_KEYS: undefined,
    WALLET_SEALING_KEY: walletSealingKey(config),
  });

  const workers: Array<Awaited<ReturnType<typeof startWorker>>> = [];
  const children: ChildProcess[] = [];
  const usdc = new Asset('USDC', sandbox.usdcAsset.issuer);
  const stack: StellarStack = {
    api,
    sandbox,
    trustlessWork,
    horizon,
    usdc,
    platform,
    overrides,
    async startWorker() {
      const w = await startWorker({
        config,
        taskQueue: overrides.TEMPORAL_TASK_QUEUE,
        workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
      });
      workers.push(w);
      return w;
    },
    async startWorkerProcess(env = {}) {
      const child = await spawnWorkerProcess(overrides, env);
      children.push(child);
      return child;
    },
    async outsideAccount(trust = true) {
      const kp = Keypair.random();
      await friendbot(sandbox, kp.publicKey());
      if (trust) {
        const tx = new TransactionBuilder(await horizon.loadAccount(kp.publicKey()), {
          fee: '100',
          networkPassphrase: sandbox.networkPassphrase,
        })
          .addOperation(Operation.changeTrust({ asset: usdc }))
          .setTimeout(60)
          .build();
        tx.sign(kp);
        await horizon.submitTransaction(tx);
      }
      return kp;
    },
    async faucet(address, amount) {
      const res = await fetch(sandbox.usdcFaucetUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address, amount }),
      });
      if (!res.ok) throw new Error(`faucet answered ${res.status}: ${await res.text()}`);
    },
    async activeUser(key, timeoutMs = 30_000) {
      const created = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('e2e'), type: 'BOTH' } });
      if (created.status !== 201) throw new Error(`user creation answered ${created.status}: ${created.text}`);
      const id = created.body.data.id as string;
      const wallet = await eventually(
        async () => {
          const res = await api.call('GET', `/api/v1/users/${id}/wallet/deposit`, { key });
          return res.body.data.status === 'ACTIVE' && res.body.data;
        },
        timeoutMs,
        'wallet activation',
      );
      return { id, address: wallet.address as string };
    },
    async balance(key, userId) {
      return (await api.call('GET', `/api/v1/users/${userId}/balance`, { key })).body.data.balances[0];
    },
    async usdcBalance(address) {
      const account = await horizon.loadAccount(address);
      const line = account.balances.find(
        (b) => b.asset_type === 'credit_alphanum4' && b.asset_code === 'USDC' && b.asset_issuer === usdc.issuer,
      );
      return line ? line.balance : null;
    },
    async stop() {
      for (const w of workers) await w.stop();
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');

      await api.close();
      await trustlessWork.stop();
      await sandbox.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.inProcessWorker ?? true) await stack.startWorker();
  return stack;
}

async function friendbot(sandbox: StellarSandbox, address: string): Promise<void> {
  const res = await fetch(`${sandbox.friendbotUrl}?addr=${address}`);
  if (!res.ok) throw new Error(`friendbot answered ${res.status}: ${await res.text()}`);
}

/** Polls `probe` until it returns something truthy, or fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

let runtimeInstalled = false;
/** The SDK logs worker state changes at INFO to the console; tests want only its errors. Once per process. */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}
