/**
 * The full fuzz run (issue 16 §2): `npm run fuzz -- --runs 10000 --seed N [--batch 25]`. Starts its own PostgreSQL
 * (embedded, or a scratch database on DATABASE_URL's server) and Temporal dev server, migrates, then runs the same
 * engine as test/fuzz/fuzz.test.ts against the real API in this process and prints requests by operation and status.
 * Exits 1 on any failure; a failing request is reproduced by its seed and index (test/fuzz/lib/runner.ts generate()).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Keypair } from '@stellar/stellar-sdk';
import { freePort } from '../../devstack/net';
import { DATA_DIR } from '../../devstack/paths';
import { ensureTemporalCli } from '../../devstack/temporal-cli';
import { startTemporalDevServer } from '../../devstack/temporal-server';
import { runMigrations } from '../../src/db/migrate';
import { formatReport, runFuzz } from '../../test/fuzz/lib/runner';
import { startFuzzTarget } from '../../test/fuzz/lib/target';
import { benchCleanup } from '../shared/cleanup';
import { prepareBenchDatabase } from '../shared/database';

const log = (line: string) => process.stdout.write(`${line}\n`);

function positive(name: string, value: string | undefined, def: number): number {
  const n = value === undefined ? def : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, batch: { type: 'string' } } });
  const runs = positive('runs', values.runs, 10_000);
  const seed = positive('seed', values.seed, Date.now() % 2 ** 31);
  const batch = positive('batch', values.batch, 25) || 1;
  const { cleanup, stopAll } = benchCleanup(log);
  try {
    const runDir = path.join(DATA_DIR, 'bench', `fuzz_${Date.now().toString(36)}`);
    fs.mkdirSync(runDir, { recursive: true });
    cleanup.push(async () => fs.rmSync(runDir, { recursive: true, force: true }));
    const db = await prepareBenchDatabase({ name: `offerhub_fuzz_${Date.now().toString(36)}`, runDir, cleanup, log });
    await runMigrations(db.url);
    const temporal = await startTemporalDevServer({ bin: ensureTemporalCli(log), port: await freePort() });
    cleanup.push(() => temporal.stop());
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: temporal.address,
      OFFERHUB_MASTER_KEY: `fuzz-master-${crypto.randomBytes(24).toString('hex')}`,
      PLATFORM_SECRET: Keypair.random().secret(),
      USDC_ISSUER: Keypair.random().publicKey(),
      WALLET_ENCRYPTION_KEYS: `f1:${crypto.randomBytes(32).toString('base64')}`,
      IDEMPOTENCY_SEALING_KEYS: `f1:${crypto.randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'silent',
    });
    const target = await startFuzzTarget(db.url);
    cleanup.push(() => target.close());
    log(`fuzzing ${runs} requests, seed ${seed}, a state snapshot every ${batch}`);
    const report = await runFuzz(target, {
      runs,
      seed,
      batch,
      progress: (done) => {
        if (done % 1000 < batch) log(`  ${done} requests`);
      },
    });
    log(formatReport(report));
    return report.failures.length ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
