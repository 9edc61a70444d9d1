import { Account, Asset, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { Pool } from 'pg';
import { newId } from '../../src/ids';
import { FeePolicy } from '../../src/stellar/fee-policy';
import { networkTag, type StellarNetwork } from '../../src/stellar/network';
import { submitOnce } from '../../src/stellar/submitter';
import { funded, startTestSandbox, type TestSandbox } from '../sandbox/stellar/helpers';

/**
 * submitOnce serialises an account's submissions with a session advisory lock. These tests watch the one connection
 * it uses: the lock must be released exactly once (PostgreSQL answers a second unlock with the notice "you don't own
 * a lock of type ExclusiveLock", which `npm start` printed on every wallet activation) and never be left held.
 */
let t: TestSandbox;
let pool: Pool;
let network: StellarNetwork;
const notices: string[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  pool.on('connect', (client) => client.on('notice', (n) => notices.push(String(n.message))));
  network = {
    name: 'sandbox',
    passphrase: t.sandbox.networkPassphrase,
    tag: networkTag(t.sandbox.networkPassphrase),
    horizon: t.server,
    usdc: t.usdc,
    platform: Keypair.random(),
    submitTimeoutMs: 5000,
    fees: new FeePolicy(t.server, 10_000, 5000),
  };
});

afterAll(async () => {
  await pool?.end();
  await t?.stop();
});

beforeEach(() => {
  notices.length = 0;
});

const payment = (from: Keypair, destination: string, amount: string) => (source: Account) => {
  const tx = new TransactionBuilder(source, { fee: '100', networkPassphrase: network.passphrase })
    .addOperation(Operation.payment({ destination, asset: Asset.native(), amount }))
    .setTimeout(60)
    .build();
  tx.sign(from);
  return tx;
};

async function advisoryLocksHeld(): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
  return rows[0].n;
}

test('a payment that applies is stored as SUCCEEDED and the lock is released once', async () => {
  const from = await funded(t);
  const to = await funded(t);
  const req = { key: newId('test-submit'), sourceAccount: from.publicKey(), build: payment(from, to.publicKey(), '1') };
  const outcome = await submitOnce(pool, network, req);
  expect(outcome).toMatchObject({ status: 'SUCCEEDED', ledger: expect.any(Number) });
  expect(await submitOnce(pool, network, req)).toEqual(outcome); // the stored outcome, from the early return
  expect(notices).toEqual([]);
  expect(await advisoryLocksHeld()).toBe(0);
});

test('a payment that applies and fails is stored as FAILED and the lock is released once', async () => {
  const from = await funded(t);
  const to = await funded(t);
  const req = { key: newId('test-submit'), sourceAccount: from.publicKey(), build: payment(from, to.publicKey(), '1000000') };
  const outcome = await submitOnce(pool, network, req);
  expect(outcome).toMatchObject({ status: 'FAILED', codes: { transaction: 'tx_failed', operations: ['op_underfunded'] } });
  expect(notices).toEqual([]);
  expect(await advisoryLocksHeld()).toBe(0);
});

describe('stellar-core admits one transaction per source account and ledger (src/herder/TransactionQueue.cpp)', () => {
  let slow: TestSandbox;
  let slowNetwork: StellarNetwork;
  beforeAll(async () => {
    slow = await startTestSandbox({ ledgerIntervalMs: 1500 });
    slowNetwork = {
      ...network,
      passphrase: slow.sandbox.networkPassphrase,
      horizon: slow.server,
      fees: new FeePolicy(slow.server, 10_000, 5000),
    };
  });
  afterAll(async () => {
    await slow?.stop();
  });

  test('refused TRY_AGAIN_LATER behind another transaction of the account: a transient fault, never a refusal; the next call applies', async () => {
    const from = await funded(slow);
    const to = await funded(slow);
    const seq = BigInt((await slow.server.loadAccount(from.publicKey())).sequence);
    const outside = new TransactionBuilder(new Account(from.publicKey(), seq.toString()), {
      fee: '100',
      networkPassphrase: slowNetwork.passphrase,
    })
      .addOperation(Operation.payment({ destination: to.publicKey(), asset: Asset.native(), amount: '1' }))
      .setTimeout(60)
      .build();
    outside.sign(from);
    // Just after a close, so that the outside transaction is still pending when ours arrives.
    const seen = slow.sandbox.latestLedger();
    while (slow.sandbox.latestLedger() === seen) await new Promise((r) => setTimeout(r, 5));
    const queued = await fetch(`${slow.sandbox.url}/transactions_async`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: outside.toXDR() }).toString(),
    });
    expect(queued.status).toBe(201);

    const req = { key: newId('test-submit'), sourceAccount: from.publicKey(), build: payment(from, to.publicKey(), '2') };
    await expect(submitOnce(pool, slowNetwork, req)).rejects.toMatchObject({ name: 'StellarTransientError' });
    expect(await advisoryLocksHeld()).toBe(0);
    const outcome = await submitOnce(pool, slowNetwork, req);
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(BigInt((await slow.server.loadAccount(from.publicKey())).sequence)).toBe(seq + 2n);
  }, 30_000);
});
