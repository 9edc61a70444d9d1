/**
 * Events bench: how long an event takes from its commit to a subscriber of GET /api/v1/events, with 1 subscriber
 * (the baseline) and with BENCH_SUBSCRIBERS (1000) subscribers at once, while events are produced at BENCH_RATE (200)
 * a second, in the same run against the same API process and PostgreSQL. Prints p50/p99/max of commit → delivery over
 * every (event, subscriber) pair, the CPU each event cost in each process, and the ratio of the two p99s (aim: p99
 * under 100 ms with 1000 subscribers). `npm run bench:events`; see bench/README.md.
 *
 * Processes: this one (orchestration, PostgreSQL set-up, the producer), the real API (bench/api/servers.ts api), and
 * the subscribers (subscribers.ts), so that none shares its event loop with another.
 */
import { type ChildProcess, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { freePort } from '../../devstack/net';
import { DATA_DIR } from '../../devstack/paths';
import { SYSTEM } from '../../src/audit/actor';
import { createApiKey } from '../../src/auth/api-keys-repository';
import { createDatabase, type Database } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { recordEvent } from '../../src/events/events-repository';
import { childrenOf, cpuBetween, readCpu } from '../api/cpu';
import type { ServerReady } from '../api/protocol';
import { prepareBenchDatabase } from '../shared/database';
import { rpc, stopChild } from '../shared/children';
import { envNumber } from '../shared/env';
import type { FromSubscribers, ToSubscribers } from './protocol';
import { benchCleanup } from '../shared/cleanup';

const SUBSCRIBERS = envNumber('BENCH_SUBSCRIBERS', 1000);
const RATE = envNumber('BENCH_RATE', 200);
const SECONDS = envNumber('BENCH_SECONDS', 15, { fraction: true });
const AIM_P99_MS = 100;

const log = (line: string) => process.stdout.write(`${line}\n`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PhaseResult {
  subscribers: number;
  events: number;
  deliveries: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
  cpuMsPerEvent: Record<string, number>;
  cores: number;
  otherCores: number;
  /** The API's feed: database reads of new events, and notifications heard, during the phase. */
  feedReads?: number;
  notifications?: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { cleanup, stopAll } = benchCleanup(log);
  try {
    const name = `offerhub_bench_events_${Date.now().toString(36)}`;
    const runDir = path.join(DATA_DIR, 'bench', name);
    cleanup.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));
    const { url, postmasterPid } = await prepareBenchDatabase({ name, runDir, cleanup, log });
    await runMigrations(url);
    const database = createDatabase(url, 4);
    cleanup.push(() => database.close());
    const keys = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) => createApiKey(database.db, { name: `bench ${i}`, scopes: ['read'] }, SYSTEM)),
    );
    log(`${SUBSCRIBERS} API keys (${((Date.now() - started) / 1000).toFixed(1)} s since start)`);

    const metricsPort = await freePort();
    const api = await startApi(url, metricsPort);
    const feedCounts = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
      return { reads: value('event_feed_reads_total'), notifications: value('event_notifications_total') };
    };
    cleanup.push(() => stopChild(api.process));
    const subscribers = fork(path.join(__dirname, 'subscribers.ts'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanup.push(() => stopChild(subscribers));
    const call = rpc<ToSubscribers, FromSubscribers>(subscribers, 'subscribers');
    const groups = {
      api: () => [api.process.pid!],
      postgres: () => (postmasterPid ? [postmasterPid, ...childrenOf(postmasterPid)] : []),
      subscribers: () => [subscribers.pid!],
      producer: () => [process.pid],
    };

    let seq = 0;
    const results: PhaseResult[] = [];
    for (const n of [1, SUBSCRIBERS]) {
      const opened = await call({ type: 'open', port: api.port, keys: keys.slice(0, n).map((k) => k.key) });
      if (opened.type !== 'opened') throw new Error(`opening ${n} streams: ${opened.type === 'failed' ? opened.message : opened.type}`);
      // Every stream is live once each has received an event sent after they all opened.
      const before = ((await call({ type: 'count' })) as { received: number }).received;
      await produce(database, seq++);
      for (let i = 0; i < 500 && ((await call({ type: 'count' })) as { received: number }).received < before + n; i++) await sleep(20);
      await call({ type: 'record', on: true });
      const cpuBefore = readCpu(groups);
      const countsBefore = await feedCounts();
      const first = seq;
      const commits = await produceFor(database, SECONDS, () => seq++);
      await sleep(500); // the last events reach everyone
      const cpu = cpuBetween(cpuBefore, readCpu(groups));
      const countsAfter = await feedCounts();
      const recorded = (await call({ type: 'record', on: false })) as Extract<FromSubscribers, { type: 'recorded' }>;
      results.push({
        ...summarise(n, first, commits, recorded, cpu),
        feedReads: countsAfter.reads - countsBefore.reads,
        notifications: countsAfter.notifications - countsBefore.notifications,
      });
      const r = results[results.length - 1];
      log(`  ${String(n).padStart(5)} subscriber(s): ${r.events} events, p99 ${r.p99.toFixed(1)} ms`);
      await call({ type: 'close' });
      await sleep(300); // the API lets go of the closed streams (their keys)
    }
    report(results, postmasterPid !== null, Date.now() - started);
  } finally {
    await stopAll();
  }
}

/** One event through the real writer (ordering lock, NOTIFY at commit); returns when COMMIT answered. */
async function produce(database: Database, seq: number): Promise<number> {
  await recordEvent(database.db, {
    dedupeKey: `bench:${seq}:${crypto.randomUUID()}`,
    type: 'order.status_changed',
    resourceId: 'ord_bench',
    userIds: [],
    data: { bench_seq: seq, status: 'IN_PROGRESS' },
  });
  return now();
}

/** Open loop: one event every 1/RATE s for `seconds`, each in its own transaction; commit times by sequence number. */
async function produceFor(database: Database, seconds: number, next: () => number): Promise<Map<number, number>> {
  const commits = new Map<number, number>();
  const total = Math.round(seconds * RATE);
  const t0 = now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const s = next();
    inFlight.push(produce(database, s).then((at) => void commits.set(s, at)));
  }
  await Promise.all(inFlight);
  return commits;
}

function summarise(
  subscribers: number,
  first: number,
  commits: Map<number, number>,
  recorded: { seqs: Float64Array; arrivals: Float64Array },
  cpu: ReturnType<typeof cpuBetween>,
): PhaseResult {
  const latencies: number[] = [];
  for (let i = 0; i < recorded.seqs.length; i++) {
    const committed = commits.get(recorded.seqs[i]);
    if (committed !== undefined && recorded.seqs[i] >= first) latencies.push(recorded.arrivals[i] - committed);
  }
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
  const cpuMsPerEvent: Record<string, number> = {};
  let ours = 0;
  for (const [name, ms] of Object.entries(cpu?.groups ?? {})) {
    cpuMsPerEvent[name] = ms / commits.size;
    ours += ms;
  }
  return {
    subscribers,
    events: commits.size,
    deliveries: sorted.length,
    missing: commits.size * subscribers - sorted.length,
    p50: pct(50),
    p99: pct(99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    cpuMsPerEvent,
    cores: cpu ? ours / cpu.wallMs : NaN,
    otherCores: cpu ? cpu.other / cpu.wallMs : NaN,
  };
}

function report(results: PhaseResult[], embedded: boolean, totalMs: number): void {
  const cell = (v: number | string, width: number, digits = 2) => (typeof v === 'number' ? v.toFixed(digits) : v).padStart(width);
  log('');
  log(`GET /api/v1/events: ${RATE} events/s for ${SECONDS} s, commit → delivery over every (event, subscriber) pair`);
  log(
    `${'subscribers'.padEnd(12)}${cell('events', 8)}${cell('deliveries', 12)}${cell('missing', 9)}${cell('p50 ms', 9)}${cell('p99 ms', 9)}${cell('max ms', 9)}`,
  );
  for (const r of results) {
    log(
      `${String(r.subscribers).padEnd(12)}${cell(String(r.events), 8)}${cell(String(r.deliveries), 12)}${cell(String(r.missing), 9)}${cell(r.p50, 9)}${cell(r.p99, 9)}${cell(r.max, 9, 1)}`,
    );
  }
  log('');
  log(
    `CPU per event in ms, by process (${embedded ? '' : 'PostgreSQL is remote and not counted; '}cores = CPU time / wall time; other = the rest of the machine)`,
  );
  log(
    `${'subscribers'.padEnd(12)}${cell('api', 8)}${cell('postgres', 10)}${cell('subscr.', 9)}${cell('producer', 10)}${cell('cores', 8)}${cell('other', 8)}`,
  );
  for (const r of results) {
    const c = r.cpuMsPerEvent;
    log(
      `${String(r.subscribers).padEnd(12)}${cell(c.api, 8, 3)}${cell(c.postgres, 10, 3)}${cell(c.subscribers, 9, 3)}${cell(c.producer, 10, 3)}${cell(r.cores, 8)}${cell(r.otherCores, 8)}`,
    );
  }
  log('');
  log("the API process's feed (shared by all its streams): notifications heard and database reads of new events");
  for (const r of results)
    log(`${String(r.subscribers).padEnd(12)}${cell(String(r.notifications), 8)} notifications, ${r.feedReads} reads`);
  const [base, many] = results;
  log('');
  log(`p99 ratio ${many.subscribers}/1 subscriber: ${(many.p99 / base.p99).toFixed(2)}`);
  log(`API CPU per event ratio ${many.subscribers}/1: ${(many.cpuMsPerEvent.api / base.cpuMsPerEvent.api).toFixed(1)}`);
  log(
    `p99 with ${many.subscribers} subscribers: ${many.p99.toFixed(1)} ms (aim < ${AIM_P99_MS} ms: ${many.p99 < AIM_P99_MS ? 'met' : 'NOT met'})`,
  );
  log(`total ${(totalMs / 1000).toFixed(1)} s`);
  log(JSON.stringify({ bench: 'events', rate: RATE, seconds: SECONDS, results }));
  if (results.some((r) => r.missing !== 0)) {
    log('some subscribers missed events: the numbers above are not comparable');
    process.exitCode = 1;
  }
}

async function startApi(databaseUrl: string, metricsPort: number): Promise<{ process: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: String(metricsPort),
    DATABASE_URL: databaseUrl,
    OFFERHUB_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, // the events route never reaches Temporal
    RATE_LIMIT_PER_MINUTE: String(1_000_000_000),
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(1_000_000_000),
    PLATFORM_SECRET: process.env.PLATFORM_SECRET ?? Keypair.random().secret(),
    USDC_ISSUER: process.env.USDC_ISSUER ?? Keypair.random().publicKey(),
    WALLET_ENCRYPTION_KEYS: process.env.WALLET_ENCRYPTION_KEYS ?? `bench:${crypto.randomBytes(32).toString('base64')}`,
    IDEMPOTENCY_SEALING_KEYS: process.env.IDEMPOTENCY_SEALING_KEYS ?? `bench:${crypto.randomBytes(32).toString('base64')}`,
  };
  const child = fork(path.join(__dirname, '..', 'api', 'servers.ts'), ['api'], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: ServerReady) => resolve({ process: child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`the API exited during start-up (code ${code})`)));
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
