import {
  Asset,
  type Keypair,
  Operation,
  TransactionBuilder,
  type Account,
  type FeeBumpTransaction,
  type Transaction,
} from '@stellar/stellar-sdk';
import { Pool } from 'pg';
import { newId } from '../../src/ids';
import { FeeAboveCapError, FeePolicy } from '../../src/stellar/fee-policy';
import { networkTag, type StellarNetwork } from '../../src/stellar/network';
import { StellarTransientError, submitOnce } from '../../src/stellar/submitter';
import { buildTx, funded, startTestSandbox, type TestSandbox } from '../sandbox/stellar/helpers';

/**
 * The fee path against the sandbox Horizon. Pinned to: Horizon's FeeStats (stellar/go protocols/horizon/main.go:
 * every number a string, `fee_charged`/`max_fee` per operation over the last 5 ledgers, `last_ledger_base_fee`);
 * stellar-core's TransactionFrame::commonValidPreSeqNum (a classic transaction bidding less than baseFee × operations
 * is txINSUFFICIENT_FEE) and FeeBumpTransactionFrame::commonValidPreSeqNum (the outer bid must reach baseFee ×
 * (operations + 1): txINSUFFICIENT_FEE on the fee bump itself); Horizon answers both 400 `tx_insufficient_fee`.
 */
let t: TestSandbox;
let pool: Pool;
let platform: Keypair;

beforeAll(async () => {
  t = await startTestSandbox();
  pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  platform = await funded(t);
});
afterAll(async () => {
  await pool?.end();
  await t?.stop();
});
// Back to the minimum, and 5 empty ledgers so the fees charged by one test leave /fee_stats' window before the next.
afterEach(() => {
  t.sandbox.setBaseFee(100);
  for (let i = 0; i < 5; i++) t.sandbox.closeLedger();
});

function networkWith(maxFee: number): StellarNetwork {
  return {
    name: 'sandbox',
    passphrase: t.sandbox.networkPassphrase,
    tag: networkTag(t.sandbox.networkPassphrase),
    horizon: t.server,
    usdc: t.usdc,
    platform,
    submitTimeoutMs: 5000,
    fees: new FeePolicy(t.server, maxFee, 5000),
  };
}

const xlmBalance = async (kp: Keypair) =>
  (await t.server.loadAccount(kp.publicKey())).balances.find((b) => b.asset_type === 'native')!.balance;

/** A user's payment (user holds XLM here only to have a destination), fee-bumped by the platform at the policy's bid. */
function bumpedPayment(network: StellarNetwork, from: Keypair, to: string, afterSigning: () => void = () => undefined) {
  return async (source: Account): Promise<Transaction | FeeBumpTransaction> => {
    const fee = await network.fees.perOperation();
    const inner = new TransactionBuilder(source, { fee, networkPassphrase: network.passphrase })
      .addOperation(Operation.payment({ destination: to, asset: Asset.native(), amount: '1' }))
      .setTimeout(60)
      .build();
    inner.sign(from);
    const bump = TransactionBuilder.buildFeeBumpTransaction(platform, fee, inner, network.passphrase);
    bump.sign(platform);
    afterSigning();
    return bump;
  };
}

test('the sandbox serves /fee_stats in Horizon’s shape (numbers as strings) and reports a raised base fee', async () => {
  const before = await t.server.feeStats();
  expect(before.last_ledger_base_fee).toBe('100');
  expect(typeof before.last_ledger).toBe('string');
  expect(before.ledger_capacity_usage).toMatch(/^\d+\.\d\d$/);
  for (const k of ['max', 'min', 'mode', 'p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95', 'p99'] as const) {
    expect(before.fee_charged[k]).toMatch(/^\d+$/);
    expect(before.max_fee[k]).toMatch(/^\d+$/);
  }
  t.sandbox.setBaseFee(250);
  expect((await t.server.feeStats()).last_ledger_base_fee).toBe('250');
});

test('the sandbox refuses a transaction bidding less than its base fee per operation: 400 tx_insufficient_fee', async () => {
  const from = await funded(t);
  t.sandbox.setBaseFee(200);
  const tx = await buildTx(t, from, [Operation.bumpSequence({ bumpTo: '0' })], [from], { fee: '199' });
  await expect(t.server.submitTransaction(tx)).rejects.toMatchObject({
    response: { status: 400, data: { extras: { result_codes: { transaction: 'tx_insufficient_fee' } } } },
  });
  const ok = await buildTx(t, from, [Operation.bumpSequence({ bumpTo: '0' })], [from], { fee: '200' });
  await expect(t.server.submitTransaction(ok)).resolves.toMatchObject({ successful: true });
});

test('the fee policy bids p70 of fees charged, never below the base fee, and a base fee above the cap is FeeAboveCapError', async () => {
  const policy = new FeePolicy(t.server, 1000, 5000);
  expect(await policy.perOperation()).toBe('100');
  t.sandbox.setBaseFee(300);
  expect(await policy.perOperation()).toBe('100'); // cached for a few seconds
  policy.invalidate();
  expect(await policy.perOperation()).toBe('300'); // the base fee is the floor, whatever the last ledgers charged
  const capped = new FeePolicy(t.server, 200, 5000);
  await expect(capped.perOperation()).rejects.toBeInstanceOf(FeeAboveCapError);
});

test('a base fee raised after the fee bump was signed: the bump is rebuilt once, higher, around the same signed inner transaction, and succeeds', async () => {
  const network = networkWith(1000);
  const from = await funded(t);
  const to = await funded(t);
  const submit = jest.spyOn(t.server, 'submitTransaction');
  let firstInner = '';
  const build = bumpedPayment(network, from, to.publicKey(), () => t.sandbox.setBaseFee(200));
  const req = {
    key: newId('test-fee'),
    sourceAccount: from.publicKey(),
    build: async (source: Account) => {
      const tx = (await build(source)) as FeeBumpTransaction;
      firstInner = tx.innerTransaction.hash().toString('hex');
      return tx;
    },
  };
  try {
    const outcome = await submitOnce(pool, network, req);
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
    expect(submit).toHaveBeenCalledTimes(2); // the refused bump at 100, the rebuilt one
    const sent = TransactionBuilder.fromXDR(outcome.envelopeXdr, network.passphrase) as FeeBumpTransaction;
    expect(sent.innerTransaction.hash().toString('hex')).toBe(firstInner);
    expect(sent.fee).toBe('400'); // 200 per operation × (1 + the fee bump)
    const onChain = await t.server.transactions().transaction(outcome.hash).call();
    expect(onChain.fee_charged).toBe('400');
  } finally {
    submit.mockRestore();
  }
});

test('a network fee above STELLAR_MAX_FEE_STROOPS: the step stays a transient fault, nothing is paid, and it goes through once the cap allows', async () => {
  const from = await funded(t);
  const to = await funded(t);
  const capped = networkWith(150);
  const key = newId('test-fee');
  const build = bumpedPayment(capped, from, to.publicKey(), () => t.sandbox.setBaseFee(200));
  const platformBefore = await xlmBalance(platform);
  const fromBefore = await xlmBalance(from);
  const err = await submitOnce(pool, capped, { key, sourceAccount: from.publicKey(), build }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StellarTransientError);
  expect((err as Error).message).toMatch(/STELLAR_MAX_FEE_STROOPS 150/);
  // Retried, it is the same fault: the stored envelope is still PENDING, no fee was charged to anyone.
  await expect(submitOnce(pool, capped, { key, sourceAccount: from.publicKey(), build })).rejects.toBeInstanceOf(StellarTransientError);
  expect(await xlmBalance(platform)).toBe(platformBefore);
  expect(await xlmBalance(from)).toBe(fromBefore);
  const { rows } = await pool.query('SELECT status FROM stellar_transactions WHERE business_key = $1', [key]);
  expect(rows).toEqual([{ status: 'PENDING' }]);
  // The operator raises the cap: the same payment goes through, once.
  const outcome = await submitOnce(pool, networkWith(1000), { key, sourceAccount: from.publicKey(), build });
  expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
});

test('a plain transaction refused tx_insufficient_fee is rebuilt by its builder at the fresh bid and succeeds', async () => {
  const network = networkWith(1000);
  const from = await funded(t);
  t.sandbox.setBaseFee(100);
  const fees: string[] = [];
  let raised = false;
  const outcome = await submitOnce(pool, network, {
    key: newId('test-fee'),
    sourceAccount: from.publicKey(),
    build: async (source) => {
      const fee = await network.fees.perOperation();
      fees.push(fee);
      const tx = new TransactionBuilder(source, { fee, networkPassphrase: network.passphrase })
        .addOperation(Operation.bumpSequence({ bumpTo: '0' }))
        .setTimeout(60)
        .build();
      tx.sign(from);
      if (!raised) t.sandbox.setBaseFee(180);
      raised = true;
      return tx;
    },
  });
  expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
  expect(fees).toEqual(['100', '180']);
});
