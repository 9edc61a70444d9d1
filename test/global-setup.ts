import crypto from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../devstack/paths';
import { freePort } from '../devstack/net';
import { ensureDatabase, startEmbeddedPostgres } from '../devstack/postgres';
import { ensureTemporalCli } from '../devstack/temporal-cli';
import { startTemporalDevServer } from '../devstack/temporal-server';
import { writeWorkflowBundle } from '../worker/workflow-bundle';
import { runMigrations } from '../src/db/migrate';

/**
 * One isolated stack per test run: a fresh database (on DATABASE_URL's server when set, otherwise on a new embedded
 * PostgreSQL), an in-memory Temporal dev server on a random port, and the workflow code bundled once.
 * Suites read what they need from the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const runDir = path.join(DATA_DIR, 'test-runs', runId);
  fs.mkdirSync(runDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  (globalThis as any).__OFFERHUB_TEST__ = { stops, runDir };

  const temporalBin = ensureTemporalCli((l) => process.stdout.write(`${l}\n`));
  const [temporal, database] = await Promise.all([
    startTemporalDevServer({ bin: temporalBin, port: await freePort() }),
    startDatabase(runDir, runId, stops),
  ]);
  stops.push(() => temporal.stop());
  await runMigrations(database);
  const bundle = await writeWorkflowBundle(path.join(runDir, 'workflow-bundle.js'));

  process.env.DATABASE_URL = database;
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.OFFERHUB_MASTER_KEY = `test-master-${crypto.randomBytes(24).toString('hex')}`;
  process.env.TEST_WORKFLOW_BUNDLE = bundle;
  // Stellar identities of this run; suites that talk to a sandbox network override HORIZON_URL and USDC_ISSUER.
  process.env.PLATFORM_SECRET ??= Keypair.random().secret();
  process.env.USDC_ISSUER ??= Keypair.random().publicKey();
  process.env.WALLET_ENCRYPTION_KEYS ??= `test1:${crypto.randomBytes(32).toString('base64')}`;
  process.env.IDEMPOTENCY_SEALING_KEYS ??= `test1:${crypto.randomBytes(32).toString('base64')}`;
  // Both rails are on by default (PAYMENT_PROVIDER=crypto,airtm): suites that do not talk to Airtm get an address
  // where nothing listens and credentials of this run; the Airtm suites start the sandbox Airtm and override them.
  process.env.AIRTM_API_URL ??= 'http://127.0.0.1:9/v2';
  process.env.AIRTM_API_KEY ??= `test-airtm-${crypto.randomBytes(8).toString('hex')}`;
  process.env.AIRTM_API_SECRET ??= crypto.randomBytes(16).toString('hex');
  process.env.AIRTM_WEBHOOK_SECRET ??= `whsec_${crypto.randomBytes(24).toString('base64')}`;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.NODE_ENV = 'test';
  process.stdout.write(`\ntest stack ready in ${Date.now() - started} ms (temporal ${temporal.address})\n`);
}

async function startDatabase(runDir: string, runId: string, stops: Array<() => Promise<void>>): Promise<string> {
  const name = `offerhub_test_${runId}`;
  const external = process.env.DATABASE_URL;
  if (external) {
    const admin = new URL(external);
    admin.pathname = '/postgres';
    await ensureDatabase(admin.toString(), name);
    const url = new URL(external);
    url.pathname = `/${name}`;
    return url.toString();
  }
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(runDir, 'postgres'),
    port: await freePort(),
    password: crypto.randomBytes(12).toString('hex'),
  });
  stops.push(() => pg.stop());
  await ensureDatabase(pg.adminUrl, name);
  return pg.urlFor(name);
}
