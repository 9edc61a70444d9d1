import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { stackEnvFile, writeStackEnv } from '../../devstack/local-env';
import { startTrustlessWorkSandbox, type TrustlessWorkSandbox } from '../../sandboxes/trustless-work';
import { settingsIn } from '../../src/config';
import { credit } from '../../src/ledger';
import { createUsers, u, uniqueKey } from '../ledger/fixtures';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { envWithoutSettings, runScript } from '../helpers/scripts';
import { funded, startTestSandbox, trustUsdc, usdcFaucet, type TestSandbox } from '../sandbox/stellar/helpers';

/**
 * The scripts find the stack `npm start` runs with no variable set: it keeps the settings it hands its worker and API
 * in <data dir>/stack-env.json. Here the data directory is a temporary one (OFFERHUB_DATA_DIR) holding the settings of
 * a "stack" made of a database of the test's own and, for reconcile, sandboxes started by the test.
 */
let own: OwnDatabase;
let dataDir: string;

beforeEach(async () => {
  own = await ownDatabase('scripts');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offerhub-data-'));
});

afterEach(async () => {
  await own.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The settings `npm start` would write, with `settings` on top. */
function stackSettings(settings: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: own.url,
    OFFERHUB_MASTER_KEY: `ohk_master_${crypto.randomBytes(24).toString('hex')}`,
    PLATFORM_SECRET: Keypair.random().secret(),
    USDC_ISSUER: Keypair.random().publicKey(),
    WALLET_ENCRYPTION_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
    ...settings,
  };
}

/** A shell with none of the settings, the data directory pointing at this test's. */
const shell = (extra: Record<string, string> = {}) => ({ ...envWithoutSettings(), OFFERHUB_DATA_DIR: dataDir, ...extra });

describe('the stack settings file', () => {
  it('holds only the settings, readable by its owner only, and is removed by the step it returns', async () => {
    const file = stackEnvFile(dataDir);
    const remove = writeStackEnv(settingsIn({ ...stackSettings(), PATH: '/usr/bin', HOME: '/root' }), file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(content.pid).toBe(process.pid);
    expect(Object.keys(content.env).sort()).toEqual([
      'DATABASE_URL',
      'OFFERHUB_MASTER_KEY',
      'PLATFORM_SECRET',
      'USDC_ISSUER',
      'WALLET_ENCRYPTION_KEYS',
    ]);
    await remove();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('npm run ledger:verify', () => {
  it("checks the running stack's database when no variable is set", async () => {
    const [user] = await createUsers(own.database.pool, 1);
    await credit(own.database.pool, { key: uniqueKey('dep'), kind: 'deposit', userId: user, currency: 'USD', amount: u(3) });
    writeStackEnv(stackSettings(), stackEnvFile(dataDir));
    const r = await runScript('ledger-verify.ts', shell());
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ledger:verify: OK \(1 entries, 2 postings, \d+ accounts\)/);
    expect(r.status).toBe(0);
  });

  it("an explicit DATABASE_URL wins over the stack's", async () => {
    writeStackEnv(stackSettings(), stackEnvFile(dataDir));
    const r = await runScript('ledger-verify.ts', shell({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' }));
    expect(r.stderr).toContain('could not check the ledger');
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.status).toBe(2);
  });

  it('without a running stack (no file, or one left by a stack that is gone) it names the variable and npm start', async () => {
    const noFile = await runScript('ledger-verify.ts', shell());
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    fs.writeFileSync(stackEnvFile(dataDir), JSON.stringify({ pid: gone, env: stackSettings() }));
    const stale = await runScript('ledger-verify.ts', shell());
    for (const r of [noFile, stale]) {
      expect(r.stderr).toMatch(/^ledger:verify: DATABASE_URL is required: start the local stack with `npm start`/);
      expect(r.status).toBe(2);
    }
  }, 120_000);
});

describe('npm run reconcile', () => {
  let t: TestSandbox;
  let tw: TrustlessWorkSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
    tw = await startTrustlessWorkSandbox({ port: 0, stellar: t.sandbox, apiKey: 'tw-test-key' });
  });
  afterAll(async () => {
    await tw?.stop();
    await t?.stop();
  });

  it("compares the running stack's ledger with its sandbox network when no variable is set", async () => {
    // One wallet holding on chain exactly the 2.5 USD the ledger says it holds.
    const wallet = await funded(t);
    await trustUsdc(t, wallet);
    expect((await usdcFaucet(t, wallet.publicKey(), '2.5')).status).toBe(200);
    const pool = own.database.pool;
    const [user] = await createUsers(pool, 1);
    await pool.query(`INSERT INTO wallets (user_id, public_key, secret_sealed, status) VALUES ($1, $2, 'unused', 'ACTIVE')`, [
      user,
      wallet.publicKey(),
    ]);
    await credit(pool, { key: uniqueKey('dep'), kind: 'deposit', userId: user, currency: 'USD', amount: 25_000_000n });
    const settings = {
      STELLAR_NETWORK: 'sandbox',
      STELLAR_NETWORK_PASSPHRASE: t.sandbox.networkPassphrase,
      HORIZON_URL: t.sandbox.url,
      USDC_ISSUER: t.sandbox.usdcAsset.issuer,
      TRUSTLESS_WORK_URL: tw.url,
      TRUSTLESS_WORK_API_KEY: 'tw-test-key',
      PAYMENT_PROVIDER: 'crypto', // no Airtm, so no treasury to check (top-ups have their own tests)
    };
    writeStackEnv(stackSettings(settings), stackEnvFile(dataDir));

    const r = await runScript('reconcile.ts', shell());
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.custody).toMatchObject({ users: 1, totals: { ledger: '2.5', on_chain: '2.5', drift: '0' }, drifted: [] });
    expect(report.escrows).toMatchObject({ escrows: 0, drifted: [] }); // checked: the Trustless Work key came from the file
    expect(report.top_ups).toBe('not checked: PAYMENT_PROVIDER leaves Airtm out');
    expect(r.status).toBe(0);
  });

  it('without a running stack it names the missing settings and npm start', async () => {
    const r = await runScript('reconcile.ts', shell());
    expect(r.stderr).toContain('DATABASE_URL: is required but not set');
    expect(r.stderr).toContain('USDC_ISSUER: is required but not set');
    expect(r.stderr).toContain('reconcile: start the local stack with `npm start`');
    expect(r.status).toBe(2);
  });
});
