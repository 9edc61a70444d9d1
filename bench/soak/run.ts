/**
 * Soak (issue 16 §3): `npm run soak -- --minutes 30 [--concurrency 4] [--pause-ms 200] [--ledger-ms 1000]`. Starts the
 * stack as the orders bench does (PostgreSQL, Temporal dev server, Stellar and Trustless Work sandboxes, the real API
 * and worker as processes), applies a steady mixed load (load.ts) and prints, each minute: request latency p50/p95/p99,
 * the API's and the worker's RSS and heap, open workflows and the database's size. At the end it says whether memory
 * stayed flat once warm: the least-squares slope of each process's RSS over the second half of the run, and the growth
 * it implies over that half, flat when that growth is under 5% of the half's mean RSS (memory given back is not a
 * leak). Not run by CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { startBenchStack } from '../orders/stack';
import { percentile } from '../orders/stats';
import { steadyLoad } from './load';
import { installMemoryProbe, type MemorySample, readMemory, slope } from './memory';

const log = (line: string) => process.stdout.write(`${line}\n`);
const SAMPLE_MS = 10_000;
const FLAT_SHARE = 0.05;

function arg(values: Record<string, string | undefined>, name: string, def: number): number {
  const n = values[name] === undefined ? def : Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const mb = (s: MemorySample | null) => (s ? `rss ${s.rssMb.toFixed(0)} MB heap ${s.heapUsedMb?.toFixed(0) ?? '?'} MB` : 'gone');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      concurrency: { type: 'string' },
      'pause-ms': { type: 'string' },
      'ledger-ms': { type: 'string' },
    },
  });
  const minutes = arg(values, 'minutes', 30);
  const concurrency = arg(values, 'concurrency', 4);
  const pauseMs = arg(values, 'pause-ms', 200);
  const ledgerMs = arg(values, 'ledger-ms', 1000);

  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offerhub-soak-'));
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${installMemoryProbe(probeDir, 2000)}`.trim();
  process.env.WALLET_ACTIVATIONS_PER_KEY_PER_DAY ??= '1000000'; // the soak creates users all along
  process.env.WALLET_ACTIVATIONS_PER_DAY ??= '1000000';
  const stack = await startBenchStack({ ledgerIntervalMs: ledgerMs, updateTimeoutMs: 60_000, log });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection, namespace: stack.namespace });
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const pids = { api: stack.cpuGroups.api()[0], worker: stack.cpuGroups.worker()[0] };

  let minute: number[] = [];
  const load = steadyLoad(stack, { concurrency, pauseMs, record: (ms) => minute.push(ms) });
  const samples: Record<'api' | 'worker', Array<[number, number]>> = { api: [], worker: [] };
  const t0 = Date.now();
  const sampler = setInterval(() => {
    for (const part of ['api', 'worker'] as const) {
      const m = readMemory(probeDir, pids[part]);
      if (m) samples[part].push([(Date.now() - t0) / 60_000, m.rssMb]);
    }
  }, SAMPLE_MS);
  try {
    log(`soak: ${minutes} min, ${concurrency} actors, ${pauseMs} ms between scenarios, a ledger every ${ledgerMs} ms`);
    await load.start();
    for (let m = 1; m <= minutes; m++) {
      await new Promise((r) => setTimeout(r, t0 + m * 60_000 - Date.now()));
      if (stack.crashed()) throw new Error(`${stack.crashed()}\n${stack.tails()}`);
      const lat = Float64Array.from(minute).sort();
      minute = [];
      const open = await temporal.workflow.count(`ExecutionStatus = 'Running'`);
      const size = (await db.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0].n;
      log(
        `min ${String(m).padStart(2)}: ${lat.length} req, p50 ${percentile(lat, 50).toFixed(0)} p95 ${percentile(lat, 95).toFixed(0)} p99 ${percentile(lat, 99).toFixed(0)} ms` +
          ` | api ${mb(readMemory(probeDir, pids.api))} | worker ${mb(readMemory(probeDir, pids.worker))}` +
          ` | open workflows ${open.count} | db ${(Number(size) / 2 ** 20).toFixed(1)} MB` +
          ` | done ${JSON.stringify(load.stats.done)} failed ${JSON.stringify(load.stats.failed)}`,
      );
    }
    clearInterval(sampler);
    await load.stop();
    log(verdict(samples, minutes));
    if (load.stats.firstErrors.length) log(`first errors:\n  ${load.stats.firstErrors.join('\n  ')}`);
  } finally {
    clearInterval(sampler);
    await db.end();
    await connection.close();
    await stack.stop();
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
}

/** RSS over the second half of the run, per process: slope, implied growth, and flat or not. */
function verdict(samples: Record<string, Array<[number, number]>>, minutes: number): string {
  const lines = [`memory once warm (second half, minutes ${(minutes / 2).toFixed(1)}–${minutes}):`];
  let flat = true;
  for (const [part, points] of Object.entries(samples)) {
    const half = points.filter(([t]) => t >= minutes / 2);
    const s = slope(half);
    const mean = half.reduce((n, [, y]) => n + y, 0) / (half.length || 1);
    const growth = s * (minutes / 2);
    // Memory given back (a negative slope) is not a leak; growth beyond the share is.
    const ok = Number.isFinite(s) && growth < FLAT_SHARE * mean;
    flat &&= ok;
    lines.push(
      `  ${part}: ${half.length} samples, mean ${mean.toFixed(0)} MB, min ${Math.min(...half.map(([, y]) => y)).toFixed(0)} max ${Math.max(...half.map(([, y]) => y)).toFixed(0)} MB,` +
        ` slope ${s.toFixed(2)} MB/min → ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB over the half (${((100 * growth) / mean).toFixed(1)}%): ${ok ? (growth < -FLAT_SHARE * mean ? 'flat (fell)' : 'flat') : 'GROWING'}`,
    );
  }
  lines.push(
    flat
      ? `memory stayed flat once warm (each process grew less than ${FLAT_SHARE * 100}% over the second half)`
      : 'memory did NOT stay flat',
  );
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
