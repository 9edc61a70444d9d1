/**
 * API bench: throughput and latency of GET /api/v1/users/{id} through the real API against a bare Express handler
 * running the same indexed SELECT, in the same run, on the same PostgreSQL, with the same client concurrency,
 * duration and number of pool connections. Prints requests/s, p50 and p99 of both, the CPU each request costs in
 * each process, and the ratios (aim: throughput api/bare >= 0.6). `npm run bench:api`; see bench/README.md.
 *
 * Processes: this one (orchestration, PostgreSQL set-up), one per server and one load generator, so that no server
 * shares its event loop with the load or with another server.
 */
import { type ChildProcess, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { prepareBenchDatabase } from '../shared/database';
import { Keypair } from '@stellar/stellar-sdk';
import { Client } from 'pg';
import { SYSTEM } from '../../src/audit/actor';
import { createApiKey } from '../../src/auth/api-keys-repository';
import { createDatabase } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { freePort } from '../../devstack/net';
import { DATA_DIR } from '../../devstack/paths';
import { newId } from '../../src/ids';
import { childrenOf, cpuBetween, readCpu } from './cpu';
import type { FromLoad, LoadResult, ServerReady, ServerRole, ToLoad } from './protocol';
import { userPath } from './protocol';
import { rpc, stopChild } from '../shared/children';
import { envNumber } from '../shared/env';
import { benchCleanup } from '../shared/cleanup';

const num = (name: string, def: number) => envNumber(name, def, { fraction: true });

const USERS = num('BENCH_USERS', 10_000);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
/** Measured seconds per target, split over ROUNDS segments whose order alternates (api, bare, then bare, api, ...). */
const SECONDS = num('BENCH_SECONDS', 10);
const ROUNDS = num('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 3);
const POOL_SIZE = num('BENCH_POOL_SIZE', 20);
/** Writes a V8 CPU profile of the API process to .data/bench/profiles (open it in Chrome DevTools or speedscope). */
const PROFILE = process.env.BENCH_PROFILE === '1';
/** Adds bare-auth: the bare handler plus the API's authentication query, to split the API's cost into that round trip and the rest. */
const DIAGNOSE = process.env.BENCH_DIAGNOSE === '1';
const TARGETS: ServerRole[] = DIAGNOSE ? ['api', 'bare', 'bare-auth'] : ['api', 'bare'];
const PROFILES_DIR = path.join(DATA_DIR, 'bench', 'profiles');

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Server {
  port: number;
  pid: number;
}

interface CpuTotals {
  groups: Record<string, number>;
  other: number;
  wallMs: number;
  measured: boolean;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { cleanup, stopAll } = benchCleanup(log);
  try {
    const { url: databaseUrl, postmasterPid } = await prepareDatabase(cleanup);
    const { ids, apiKey } = await seed(databaseUrl);
    log(`seeded ${ids.length} users (${((Date.now() - started) / 1000).toFixed(1)} s since start)`);

    const serverEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      OFFERHUB_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      // GET /users/{id} never reaches Temporal and the client connects lazily: a closed port will do.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      // One key sends every request: a limit far above what the run can reach keeps every answer a 200,
      // while the counter is still incremented in PostgreSQL on each request as in production.
      RATE_LIMIT_PER_MINUTE: String(1_000_000_000),
      // Every request comes from 127.0.0.1: the per-address limit, counted the same way, must not refuse any either.
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: String(1_000_000_000),
      METRICS_PORT: '0', // an ephemeral metrics listener, so a running `npm start` (on 9464) does not collide
      // Required settings the route under test does not use; throwaway identities unless given.
      PLATFORM_SECRET: process.env.PLATFORM_SECRET ?? Keypair.random().secret(),
      USDC_ISSUER: process.env.USDC_ISSUER ?? Keypair.random().publicKey(),
      WALLET_ENCRYPTION_KEYS: process.env.WALLET_ENCRYPTION_KEYS ?? `bench:${crypto.randomBytes(32).toString('base64')}`,
      IDEMPOTENCY_SEALING_KEYS: process.env.IDEMPOTENCY_SEALING_KEYS ?? `bench:${crypto.randomBytes(32).toString('base64')}`,
    };
    const servers = {} as Record<ServerRole, Server>;
    for (const target of TARGETS) {
      const child = await startServer(target, serverEnv);
      cleanup.push(() => stopChild(child.process));
      servers[target] = { port: child.port, pid: child.process.pid! };
    }
    await checkAnswers(servers, ids[0], apiKey);

    const load = fork(path.join(__dirname, 'load.ts'), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanup.push(() => stopChild(load));
    const loadRpc = rpc<ToLoad, FromLoad>(load, 'load generator');
    await loadRpc({ type: 'init', ids, authorization: `Bearer ${apiKey}`, concurrency: CONCURRENCY });

    log(`warm-up: ${WARMUP_SECONDS} s per target at concurrency ${CONCURRENCY}`);
    for (const target of TARGETS) await loadRpc({ type: 'run', port: servers[target].port, seconds: WARMUP_SECONDS });

    const results = {} as Record<ServerRole, LoadResult[]>;
    const cpu = {} as Record<ServerRole, CpuTotals>;
    for (const target of TARGETS) {
      results[target] = [];
      cpu[target] = { groups: {}, other: 0, wallMs: 0, measured: false };
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const target of order) {
        const groups = {
          server: () => [servers[target].pid],
          postgres: () => (postmasterPid ? [postmasterPid, ...childrenOf(postmasterPid)] : []),
          load: () => [load.pid!],
        };
        const before = readCpu(groups);
        const r = (await loadRpc({ type: 'run', port: servers[target].port, seconds: SECONDS / ROUNDS })) as LoadResult;
        addCpu(cpu[target], cpuBetween(before, readCpu(groups)));
        results[target].push(r);
        log(`  round ${round + 1} ${target.padEnd(9)} ${(r.count / (r.elapsedMs / 1000)).toFixed(0).padStart(7)} req/s`);
      }
    }
    report(results, cpu, postmasterPid !== null, Date.now() - started);
  } finally {
    await stopAll();
  }
  if (PROFILE) log(`CPU profile of the API process: ${PROFILES_DIR}`);
}

/** A fresh, migrated database (see bench/shared/database.ts); the run's directory is removed afterwards. */
async function prepareDatabase(cleanup: Array<() => Promise<void>>): Promise<{ url: string; postmasterPid: number | null }> {
  const name = `offerhub_bench_${Date.now().toString(36)}`;
  const runDir = path.join(DATA_DIR, 'bench', name);
  cleanup.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));
  const db = await prepareBenchDatabase({ name, runDir, cleanup, log });
  await runMigrations(db.url);
  return db;
}

/** USERS users in one statement, and an API key with the `read` scope made the way the API makes keys. */
async function seed(url: string): Promise<{ ids: string[]; apiKey: string }> {
  const ids = Array.from({ length: USERS }, () => newId('usr'));
  const types = ['BUYER', 'SELLER', 'BOTH'];
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, external_user_id, email, type)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [ids, ids.map((_, i) => `bench-${i}`), ids.map((_, i) => `bench-${i}@example.com`), ids.map((_, i) => types[i % 3])],
    );
    await client.query('ANALYZE users');
  } finally {
    await client.end();
  }
  const database = createDatabase(url, 1);
  try {
    const { key } = await createApiKey(database.db, { name: 'bench', scopes: ['read'] }, SYSTEM);
    return { ids, apiKey: key };
  } finally {
    await database.close();
  }
}

function startServer(role: ServerRole, env: NodeJS.ProcessEnv): Promise<{ process: ChildProcess; port: number }> {
  const execArgv = PROFILE && role === 'api' ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${PROFILES_DIR}`] : process.execArgv;
  // stdout (the API's JSON log) is discarded; no line is logged per request either way.
  const child = fork(path.join(__dirname, 'servers.ts'), [role], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: ServerReady) => resolve({ process: child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${role} server exited during start-up (code ${code})`)));
  });
}

/** Every server must answer the same user with 200 and the same body before anything is measured. */
async function checkAnswers(servers: Record<ServerRole, Server>, id: string, apiKey: string): Promise<void> {
  const bodies: string[] = [];
  for (const target of TARGETS) {
    const res = await fetch(`http://127.0.0.1:${servers[target].port}${userPath(id)}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${text}`);
    bodies.push(JSON.stringify(JSON.parse(text)));
  }
  if (new Set(bodies).size !== 1)
    throw new Error(`the servers disagree on ${id}:\n${bodies.map((b, i) => `  ${TARGETS[i]}: ${b}`).join('\n')}`);
}

function addCpu(total: CpuTotals, part: ReturnType<typeof cpuBetween>): void {
  if (!part) return;
  total.measured = true;
  for (const [name, ms] of Object.entries(part.groups)) total.groups[name] = (total.groups[name] ?? 0) + ms;
  total.other += part.other;
  total.wallMs += part.wallMs;
}

function summarise(segments: LoadResult[]) {
  const count = segments.reduce((n, s) => n + s.count, 0);
  const errors = segments.reduce((n, s) => n + s.errors, 0);
  const seconds = segments.reduce((n, s) => n + s.elapsedMs, 0) / 1000;
  const all = new Float64Array(count);
  let at = 0;
  for (const s of segments) {
    all.set(s.latencies, at);
    at += s.latencies.length;
  }
  all.sort();
  const pct = (p: number) => (count ? all[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)] : NaN);
  return { requests: count, errors, rps: count / seconds, p50: pct(50), p90: pct(90), p99: pct(99), max: count ? all[count - 1] : NaN };
}

function report(results: Record<ServerRole, LoadResult[]>, cpu: Record<ServerRole, CpuTotals>, embedded: boolean, totalMs: number): void {
  const stats = Object.fromEntries(TARGETS.map((t) => [t, summarise(results[t])])) as Record<ServerRole, ReturnType<typeof summarise>>;
  const cell = (v: number | string, width: number, digits = 2) => (typeof v === 'number' ? v.toFixed(digits) : v).padStart(width);
  log('');
  log(
    `GET /api/v1/users/{id}: ${USERS} users, concurrency ${CONCURRENCY}, ${SECONDS} s per target in ${ROUNDS} segments of alternating order, pool ${POOL_SIZE}`,
  );
  log(
    `${'target'.padEnd(10)}${cell('req/s', 9)}${cell('p50 ms', 9)}${cell('p90 ms', 9)}${cell('p99 ms', 9)}${cell('max ms', 9)}${cell('requests', 10)}${cell('errors', 8)}`,
  );
  for (const t of TARGETS) {
    const s = stats[t];
    log(
      `${t.padEnd(10)}${cell(s.rps, 9, 0)}${cell(s.p50, 9)}${cell(s.p90, 9)}${cell(s.p99, 9)}${cell(s.max, 9, 1)}${cell(String(s.requests), 10)}${cell(String(s.errors), 8)}`,
    );
  }

  const cpuPerRequest: Partial<Record<ServerRole, Record<string, number>>> = {};
  if (TARGETS.every((t) => cpu[t].measured)) {
    log('');
    log(
      `CPU per request in ms, by process (${embedded ? '' : 'PostgreSQL is remote and not counted; '}cores = CPU time / wall time; other = the rest of the machine, in cores)`,
    );
    log(
      `${'target'.padEnd(10)}${cell('server', 9)}${cell('postgres', 10)}${cell('load', 8)}${cell('total', 8)}${cell('cores', 8)}${cell('other', 8)}`,
    );
    for (const t of TARGETS) {
      const c = cpu[t];
      const n = stats[t].requests;
      const ours = Object.values(c.groups).reduce((a, b) => a + b, 0);
      const row = {
        server: c.groups.server / n,
        postgres: c.groups.postgres / n,
        load: c.groups.load / n,
        total: ours / n,
        cores: ours / c.wallMs,
        otherCores: c.other / c.wallMs,
      };
      cpuPerRequest[t] = row;
      log(
        `${t.padEnd(10)}${cell(row.server, 9, 3)}${cell(row.postgres, 10, 3)}${cell(row.load, 8, 3)}${cell(row.total, 8, 3)}${cell(row.cores, 8)}${cell(row.otherCores, 8)}`,
      );
    }
    if (TARGETS.some((t) => cpuPerRequest[t]!.otherCores > 0.25))
      log('note: other processes used a noticeable share of the machine meanwhile; the req/s above are noisy, the CPU per request less so');
  }

  const api = stats.api;
  const bare = stats.bare;
  const throughputRatio = api.rps / bare.rps;
  const p99Ratio = api.p99 / bare.p99;
  log('');
  log(`throughput ratio api/bare: ${throughputRatio.toFixed(2)} (aim >= 0.60: ${throughputRatio >= 0.6 ? 'met' : 'NOT met'})`);
  log(`p99 latency ratio api/bare: ${p99Ratio.toFixed(2)} (1.00 = no overhead; higher is worse)`);
  log(`total ${(totalMs / 1000).toFixed(1)} s`);
  log(
    JSON.stringify({
      bench: 'api',
      users: USERS,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      pool: POOL_SIZE,
      ...stats,
      throughputRatio,
      p99Ratio,
      cpuPerRequestMs: cpuPerRequest,
    }),
  );
  if (TARGETS.some((t) => stats[t].errors > 0)) {
    log('some requests did not answer 200: the numbers above are not comparable');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
