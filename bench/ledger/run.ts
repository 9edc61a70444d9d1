/**
 * `npm run bench:ledger`: ledger transfers a second beside pgbench's built-in TPC-B on the same PostgreSQL.
 *
 *   (a) uniform transfers among 10,000 users' available balances      aim ≥ 1.0 × TPC-B
 *   (b) reserves in place (a user's available → the same user's reserved)  aim ≥ 1.3 × TPC-B
 *   (c) uniform transfers that also credit the fee account (hot)       aim ≥ 0.8 × (a)
 *   (d) only with --unsharded: like (c) but the hot side is one single row, to show what sharding buys
 *
 * Every measurement uses the same number of clients and the same duration. Starts its own embedded PostgreSQL
 * unless DATABASE_URL is set (then it creates, and afterwards drops, two scratch databases on that server).
 *
 * Options (or environment): --seconds N per measurement (BENCH_SECONDS, default 10), --rounds N it is split into,
 * taking turns with the others (BENCH_ROUNDS, default 2), --clients N (BENCH_CLIENTS, default 16),
 * --accounts N (BENCH_ACCOUNTS, default 10000), --unsharded.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { createDatabase } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { freePort } from '../../devstack/net';
import { DATA_DIR } from '../../devstack/paths';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '../../devstack/postgres';
import { accountIds, SYSTEM_ACCOUNT_SHARDS } from '../../src/ledger/accounts';
import { batchStats, postEntry, reserve, verifyLedger } from '../../src/ledger';
import { AppError } from '../../src/errors';

const exec = promisify(execFile);

function option(name: string, env: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const SECONDS = option('seconds', 'BENCH_SECONDS', 10);
const CLIENTS = option('clients', 'BENCH_CLIENTS', 16);
const ACCOUNTS = option('accounts', 'BENCH_ACCOUNTS', 10_000);
const ROUNDS = option('rounds', 'BENCH_ROUNDS', 2);
const UNSHARDED = process.argv.includes('--unsharded');
const PGBENCH = process.env.PGBENCH ?? '/usr/bin/pgbench';

interface Server {
  adminUrl: string;
  urlFor(db: string): string;
  stop(): Promise<void>;
}

async function server(): Promise<Server> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const admin = new URL(external);
    admin.pathname = '/postgres';
    return {
      adminUrl: admin.toString(),
      urlFor: (db) => Object.assign(new URL(external), { pathname: `/${db}` }).toString(),
      stop: async () => undefined,
    };
  }
  const dataDir = path.join(DATA_DIR, 'bench-ledger', `${Date.now().toString(36)}`, 'postgres');
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: crypto.randomBytes(12).toString('hex') });
  return {
    ...pg,
    stop: async () => {
      await pg.stop();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}

/** libpq environment for pgbench, from a postgres:// URL. */
function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}

async function tpcbInit(url: string): Promise<void> {
  // Scale = clients, so TPC-B's branch rows are not a single hot spot of its own.
  await exec(PGBENCH, ['-i', '-q', '-s', String(CLIENTS)], { env: pgEnv(url) });
}

async function tpcb(url: string, seconds: number): Promise<Result> {
  const { stdout } = await exec(PGBENCH, ['-c', String(CLIENTS), '-j', '2', '-T', String(seconds)], { env: pgEnv(url) });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  const done = /number of transactions actually processed: (\d+)/.exec(stdout);
  if (!tps || !done) throw new Error(`could not read pgbench output:\n${stdout}`);
  return { ok: Number(done[1]), secs: Number(done[1]) / Number(tps[1]), failed: 0, cpuUs: 0 };
}

/** Movements completed in `secs` seconds; `cpuUs` is this process's CPU over the run (the client side). */
interface Result {
  ok: number;
  secs: number;
  failed: number;
  cpuUs: number;
}

/** Several interleaved rounds of one measurement, added up. */
function total(rs: Result[]) {
  const sum = rs.reduce((t, r) => ({ ok: t.ok + r.ok, secs: t.secs + r.secs, failed: t.failed + r.failed, cpuUs: t.cpuUs + r.cpuUs }), {
    ok: 0,
    secs: 0,
    failed: 0,
    cpuUs: 0,
  });
  return { ...sum, tps: sum.ok / sum.secs, clientCpuUs: sum.cpuUs / Math.max(sum.ok, 1) };
}

/** Runs `op` from CLIENTS concurrent loops for `seconds`; counts completed movements. */
async function measure(seconds: number, op: (worker: number, i: number) => Promise<unknown>): Promise<Result> {
  let ok = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        try {
          await op(w, i);
          ok++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          failed++;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { ok, failed, secs: Number(process.hrtime.bigint() - started) / 1e9, cpuUs: used.user + used.system };
}

const rand = (n: number) => Math.floor(Math.random() * n);

function pair(users: string[]): [string, string] {
  const a = rand(users.length);
  let b = rand(users.length - 1);
  if (b >= a) b++;
  return [users[a], users[b]];
}

async function setup(pool: Pool): Promise<string[]> {
  const users = Array.from({ length: ACCOUNTS }, (_, i) => `usr_bench${String(i).padStart(22, '0')}`);
  await pool.query(`INSERT INTO users (id, external_user_id, type) SELECT id, id, 'BOTH' FROM unnest($1::text[]) id`, [users]);
  // Every account the runs touch exists before timing starts (including every fee shard).
  for (let i = 0; i < users.length; i += 2000) {
    const slice = users.slice(i, i + 2000);
    await accountIds(
      pool,
      slice.flatMap((userId) => [
        { userId, bucket: 'available' as const },
        { userId, bucket: 'reserved' as const },
      ]),
      'USD',
    );
  }
  const shards = Array.from({ length: SYSTEM_ACCOUNT_SHARDS }, (_, shard) => ({ system: 'fees' as const, shard }));
  await accountIds(pool, shards, 'USD');
  // Fund everyone with one balanced entry per 1,000 users: custody → each user's available.
  const each = 1_000_000n * 10_000_000n;
  for (let i = 0; i < users.length; i += 1000) {
    const slice = users.slice(i, i + 1000);
    await postEntry(pool, {
      key: `bench:fund:${i}`,
      type: 'deposit',
      currency: 'USD',
      legs: [
        { account: { system: 'stellar_custody' }, amount: -each * BigInt(slice.length) },
        ...slice.map((userId) => ({ account: { userId, bucket: 'available' as const }, amount: each })),
      ],
    });
  }
  return users;
}

async function main(): Promise<void> {
  const srv = await server();
  const tag = crypto.randomBytes(3).toString('hex');
  const ledgerDb = `offerhub_bench_ledger_${tag}`;
  const tpcbDb = `offerhub_bench_tpcb_${tag}`;
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const database = createDatabase(srv.urlFor(ledgerDb), CLIENTS + 2);
  try {
    await ensureDatabase(srv.adminUrl, ledgerDb);
    await ensureDatabase(srv.adminUrl, tpcbDb);
    await runMigrations(srv.urlFor(ledgerDb));
    log(`bench:ledger: ${CLIENTS} clients, ${SECONDS} s per measurement, ${ACCOUNTS} accounts; setting up`);
    const users = await setup(database.pool);
    const pool = database.pool;
    const checkpoint = () => pool.query('CHECKPOINT');
    const runId = `${Date.now().toString(36)}${tag}`;
    await tpcbInit(srv.urlFor(tpcbDb));

    const transfer = (key: string, from: string, to: string, fee: 'fees' | { hot: string } | null) => {
      const amount = 10n;
      const legs = [
        { account: { userId: from, bucket: 'available' as const }, amount: -amount - (fee ? 1n : 0n) },
        { account: { userId: to, bucket: 'available' as const }, amount },
      ];
      if (fee === 'fees') legs.push({ account: { system: 'fees' } as never, amount: 1n });
      else if (fee) legs.push({ account: { userId: fee.hot, bucket: 'available' as const }, amount: 1n });
      return postEntry(pool, { key, type: 'bench_transfer', currency: 'USD', legs, related: { type: 'bench', id: runId } });
    };
    const cold = users.slice(1);
    const scenarios: Array<[string, (secs: number, round: number) => Promise<Result>]> = [
      ['TPC-B', (secs) => tpcb(srv.urlFor(tpcbDb), secs)],
      [
        'a',
        (secs, r) =>
          measure(secs, (w, i) => {
            const [from, to] = pair(cold);
            return transfer(`bench:${runId}:a:${r}:${w}:${i}`, from, to, null);
          }),
      ],
      [
        'b',
        (secs, r) =>
          measure(secs, (w, i) =>
            reserve(pool, {
              key: `bench:${runId}:b:${r}:${w}:${i}`,
              userId: cold[rand(cold.length)],
              currency: 'USD',
              amount: 10n,
              related: { type: 'order', id: `ord_${w}_${i}` },
            }),
          ),
      ],
      [
        'c',
        (secs, r) =>
          measure(secs, (w, i) => {
            const [from, to] = pair(cold);
            return transfer(`bench:${runId}:c:${r}:${w}:${i}`, from, to, 'fees');
          }),
      ],
    ];
    if (UNSHARDED) {
      scenarios.push([
        'd',
        (secs, r) =>
          measure(secs, (w, i) => {
            const [from, to] = pair(cold);
            return transfer(`bench:${runId}:d:${r}:${w}:${i}`, from, to, { hot: users[0] });
          }),
      ]);
    }

    // Fresh tables get vacuumed and analysed, and code warms up, before anything is timed.
    await pool.query('VACUUM ANALYZE ledger_accounts, ledger_entries, ledger_postings, users');
    for (const [name, go] of scenarios) if (name !== 'TPC-B') await go(1, -1);
    await exec(PGBENCH, ['-c', String(CLIENTS), '-j', '2', '-T', '1'], { env: pgEnv(srv.urlFor(tpcbDb)) });

    // Machines drift (checkpoints, neighbours), so each measurement is split into rounds that take turns.
    const results = new Map<string, Result[]>(scenarios.map(([name]) => [name, []]));
    const statsBefore = batchStats();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, go] of scenarios) {
        await checkpoint();
        results.get(name)!.push(await go(SECONDS / ROUNDS, round));
      }
    }
    const statsAfter = batchStats();
    const [base, a, b, c] = ['TPC-B', 'a', 'b', 'c'].map((n) => total(results.get(n)!));
    const d = UNSHARDED ? total(results.get('d')!) : null;
    const labels: Record<string, string> = {
      'TPC-B': `TPC-B (pgbench -c ${CLIENTS} -j 2, scale ${CLIENTS})`,
      a: '(a) uniform transfers',
      b: '(b) reserves in place',
      c: '(c) transfers crediting the fee account',
      d: '(d) transfers crediting one unsharded row',
    };
    log(`\ntransfers a second (${ROUNDS} interleaved rounds of ${SECONDS / ROUNDS} s each)`);
    for (const [name, r] of [['TPC-B', base], ['a', a], ['b', b], ['c', c], ...(d ? [['d', d] as const] : [])] as const) {
      const client = name === 'TPC-B' ? '' : `   client CPU ${r.clientCpuUs.toFixed(0)} µs/movement`;
      log(`  ${labels[name].padEnd(44)} ${r.tps.toFixed(0).padStart(6)}${client}`);
    }
    const statements = statsAfter.statements - statsBefore.statements;
    log(
      `  ledger statements: ${statements}, ${((statsAfter.entries - statsBefore.entries) / Math.max(statements, 1)).toFixed(2)} movements each on average`,
    );

    const report = await verifyLedger(pool);
    const failures = [a, b, c, d].reduce((n, r) => n + (r?.failed ?? 0), 0);
    const rows: Array<[string, number, string, boolean]> = [
      ['(a) uniform transfers / TPC-B', a.tps / base.tps, '≥ 1.0', a.tps / base.tps >= 1.0],
      ['(b) reserves in place / TPC-B', b.tps / base.tps, '≥ 1.3', b.tps / base.tps >= 1.3],
      ['(c) hot fee account / (a)', c.tps / a.tps, '≥ 0.8', c.tps / a.tps >= 0.8],
    ];
    if (d) rows.push(['(d) one unsharded hot row / (a)', d.tps / a.tps, '(reference)', true]);
    log('\nratios');
    for (const [name, ratio, aim, met] of rows)
      log(`  ${name.padEnd(34)} ${ratio.toFixed(2).padStart(6)}   aim ${aim}${met ? '' : '   BELOW AIM'}`);
    log(
      `\nbusiness errors during runs: ${failures}; ledger:verify after the runs: ${report.ok ? 'OK' : `${report.breaches.length} breach(es)`}`,
    );
    if (!report.ok) {
      for (const br of report.breaches) log(`  [${br.kind}] ${br.message}`);
      process.exitCode = 1;
    }
  } finally {
    await database.close();
    if (process.env.DATABASE_URL) {
      await dropDatabase(srv.adminUrl, ledgerDb).catch(() => undefined);
      await dropDatabase(srv.adminUrl, tpcbDb).catch(() => undefined);
    }
    await srv.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
