import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { credit } from '../../src/ledger';
import { verifyLedger } from '../../src/ledger';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { createStellarNetwork } from '../../src/stellar/network';
import { orderWorkflowId } from '../../workflows/ids';
import { testDatabase } from '../helpers/db';
import { orderDriver } from '../helpers/escrow-orders';
import { unique } from '../helpers/app';
import { recordHistory } from '../helpers/histories';
import { eventually, startStellarStack, TW_TEST_REQUESTS_PER_MINUTE, type StellarStack } from '../helpers/stellar-stack';
import { startTrustlessWorkSandbox } from '../../sandboxes/trustless-work';

/** Orders with a Trustless Work escrow on the sandbox, end to end through REST: 2.5% platform fee, 0.3% protocol fee. */
let s: StellarStack;
let key: string;
let drive: ReturnType<typeof orderDriver>;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startStellarStack({ PLATFORM_FEE_PERCENT: '2.5', WORKFLOW_UPDATE_TIMEOUT_MS: '8000' });
  key = await s.api.keyWith('read', 'write');
  drive = orderDriver(s, key, await s.api.keyWith('read', 'support'));
}, 60_000);
const restarted: Array<{ stop(): Promise<void> }> = [];
afterAll(async () => {
  for (const tw of restarted) await tw.stop();
  await s?.stop();
  await db.close();
});

async function contractBalance(contractId: string): Promise<number> {
  const [escrow] = (await (
    await fetch(`${s.trustlessWork.url}/helper/get-escrow-by-contract-ids?contractIds[]=${contractId}`, {
      headers: { 'x-api-key': s.overrides.TRUSTLESS_WORK_API_KEY },
    })
  ).json()) as Array<{ balance: number }>;
  return escrow.balance;
}

test('happy path: deposit, order, reserve, escrow, fund, deliver, release — the seller gets 40 less 2.5% and 0.3% on chain and on the ledger', async () => {
  const buyer = await drive.party('100');
  const seller = await drive.party();
  const id = await drive.order(buyer.id, seller.id, '40');
  expect((await drive.post(`/orders/${id}/reserve`)).status).toBe(200);
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '60', held: '40' });

  const created = await drive.post(`/orders/${id}/escrow`, { amount: '40', currency: 'USD' });
  expect(created.status).toBe(200);
  expect(created.body.data).toMatchObject({
    order_id: id,
    status: 'CREATED',
    order_status: 'ESCROW_CREATED',
    amount: '40',
    currency: 'USD',
    platform_fee_percent: '2.5',
  });
  expect(created.body.data.escrow_id).toMatch(/^esc_/);
  const contractId = created.body.data.contract_id as string;
  expect(contractId).toMatch(/^C[A-Z2-7]{55}$/);

  const funded = await drive.post(`/orders/${id}/escrow/fund`);
  expect(funded.status).toBe(200);
  expect(funded.body.data).toMatchObject({ status: 'FUNDED', order_status: 'IN_PROGRESS' });
  expect(await contractBalance(contractId)).toBe(40);
  expect(await s.usdcBalance(buyer.address)).toBe('60.0000000');
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '60', held: '40' });

  const delivered = await drive.post(`/orders/${id}/deliver`, { evidence: 'https://example.com/delivery.zip' });
  expect(delivered.status).toBe(200);
  expect(delivered.body.data.status).toBe('DELIVERED');

  const released = await drive.post(`/orders/${id}/resolution/release`);
  expect(released.status).toBe(200);
  // 40 − 0.12 (Trustless Work, 0.3%) − 1 (platform, 2.5%) = 38.88
  expect(released.body.data).toMatchObject({
    status: 'RELEASED',
    order_status: 'RELEASED',
    released_amount: '38.88',
    refunded_amount: '0',
    fees: { platform: '1', protocol: '0.12' },
  });
  expect(await s.usdcBalance(seller.address)).toBe('38.8800000');
  expect(await s.balance(key, seller.id)).toEqual({ currency: 'USD', available: '38.88', held: '0' });
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '60', held: '0' });
  expect(await s.usdcBalance(s.platform.publicKey())).toBe('1.0000000');
  expect(await s.usdcBalance(s.trustlessWork.feeAccount)).toBe('0.1200000');
  expect(await contractBalance(contractId)).toBe(0);

  // The fees are their own lines of the settlement entry.
  const { rows } = await db.pool.query(
    `SELECT coalesce(a.user_id, a.bucket) AS account, a.bucket, p.amount::text FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
      WHERE e.key = $1 ORDER BY p.amount`,
    [`order:${id}:settle`],
  );
  expect(rows.map((r) => [r.account === buyer.id ? 'buyer' : r.account === seller.id ? 'seller' : r.account, r.bucket, r.amount])).toEqual([
    ['buyer', 'escrow', '-400000000'],
    ['stellar_custody', 'stellar_custody', '1200000'],
    ['fees', 'fees', '10000000'],
    ['seller', 'available', '388800000'],
  ]);
  const order = await drive.orderView(id);
  expect(order.transitions.map((t: { status: string }) => t.status)).toEqual([
    'ORDER_CREATED',
    'FUNDS_RESERVED',
    'ESCROW_CREATING',
    'ESCROW_CREATED',
    'ESCROW_FUNDING',
    'IN_PROGRESS',
    'DELIVERING',
    'DELIVERED',
    'RELEASING',
    'RELEASED',
  ]);
  expect(order.last_error).toBeNull();
  const events = await db.pool.query(`SELECT type FROM events WHERE resource_id = $1 AND type LIKE 'escrow.%' ORDER BY id`, [id]);
  expect(events.rows.map((r) => r.type)).toEqual(['escrow.created', 'escrow.funded', 'escrow.released']);

  expect((await verifyLedger(db.pool)).ok).toBe(true);
  const custody = await reconcileCustody(db.pool, createStellarNetwork(loadConfig({ ...process.env, ...s.overrides })), {
    userIds: [buyer.id, seller.id],
  });
  expect(custody.totals.drift).toBe('0');
  await recordHistory('order-released', orderWorkflowId(id));
}, 120_000);

/** The workflow's history length once it has settled (unchanged over three reads 200 ms apart). */
async function historyLength(orderId: string): Promise<number> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const handle = new Client({ connection }).workflow.getHandle(orderWorkflowId(orderId));
    const lengths: number[] = [];
    for (;;) {
      lengths.push((await handle.fetchHistory()).events?.length ?? 0);
      if (lengths.length >= 3 && lengths.slice(-3).every((n) => n === lengths.at(-1))) return lengths.at(-1)!;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await connection.close();
  }
}

test('refund: the whole escrow goes back to the buyer through the contract, less its fees', async () => {
  const buyer = await drive.party('50');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '20');
  const refunded = await drive.post(`/orders/${id}/resolution/refund`);
  expect(refunded.status).toBe(200);
  // 20 − 0.06 (0.3%) − 0.5 (2.5%) = 19.44 back to the buyer
  expect(refunded.body.data).toMatchObject({
    status: 'REFUNDED',
    order_status: 'REFUNDED',
    released_amount: '0',
    refunded_amount: '19.44',
    fees: { platform: '0.5', protocol: '0.06' },
  });
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '49.44', held: '0' });
  expect(await s.usdcBalance(buyer.address)).toBe('49.4400000');
  expect(await s.balance(key, seller.id)).toEqual({ currency: 'USD', available: '0', held: '0' });
  const order = await drive.orderView(id);
  expect(order.transitions.map((t: { status: string }) => t.status).slice(-2)).toEqual(['REFUNDING', 'REFUNDED']);
  expect((await verifyLedger(db.pool)).ok).toBe(true);
  await recordHistory('order-refunded', orderWorkflowId(id));
}, 120_000);

test('a refund after delivery answers 409 INVALID_STATE (allowed from IN_PROGRESS) and moves nothing: after delivery only a dispute refunds', async () => {
  const buyer = await drive.party('30');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '20');
  expect((await drive.post(`/orders/${id}/deliver`, {})).status).toBe(200);
  const before = await historyLength(id);
  const refused = await drive.post(`/orders/${id}/resolution/refund`);
  expect([refused.status, refused.body.error?.code, refused.body.error?.details]).toEqual([
    409,
    'INVALID_STATE',
    { current_status: 'DELIVERED', allowed_from: ['IN_PROGRESS'] },
  ]);
  expect(await historyLength(id)).toBe(before);
  const order = await drive.orderView(id);
  expect([order.status, order.escrow.status, order.dispute_id]).toEqual(['DELIVERED', 'FUNDED', null]);
  expect(await contractBalance(order.escrow.contract_id)).toBe(20);
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '10', held: '20' });
}, 120_000);

test('escrow creation checks the body against the order: another amount or currency is 400 and changes nothing', async () => {
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '10');
  const before = await historyLength(id);
  const wrongAmount = await drive.post(`/orders/${id}/escrow`, { amount: '10.5', currency: 'USD' });
  expect(wrongAmount.status).toBe(400);
  expect(wrongAmount.body.error.code).toBe('VALIDATION_ERROR');
  expect(wrongAmount.body.error.details.fields).toEqual([expect.objectContaining({ field: 'body.amount', code: 'differs_from_order' })]);
  const wrongCurrency = await drive.post(`/orders/${id}/escrow`, { amount: '10', currency: 'XLM' });
  expect(wrongCurrency.status).toBe(400);
  expect(wrongCurrency.body.error.details.fields).toEqual([expect.objectContaining({ field: 'body.currency' })]);
  const missing = await drive.post(`/orders/${id}/escrow`, {});
  expect(missing.status).toBe(400);
  expect(await historyLength(id)).toBe(before);
  expect((await drive.orderView(id)).status).toBe('FUNDS_RESERVED');
});

test('every invalid transition answers 409 INVALID_STATE with the current state, and adds nothing to the workflow history', async () => {
  const buyer = await drive.party('30');
  const seller = await drive.party();
  const id = await drive.order(buyer.id, seller.id, '10');
  const attempts: Array<[string, object?]> = [
    [`/orders/${id}/escrow`, { amount: '10', currency: 'USD' }],
    [`/orders/${id}/escrow/fund`],
    [`/orders/${id}/deliver`, {}],
    [`/orders/${id}/resolution/release`],
    [`/orders/${id}/resolution/refund`],
    [`/orders/${id}/resolution/dispute`, { opened_by: 'BUYER', reason: 'x' }],
  ];
  const before = await historyLength(id);
  for (const [path, body] of attempts) {
    const res = await drive.post(path, body);
    expect([path, res.status, res.body.error?.code, res.body.error?.details?.current_status]).toEqual([
      path,
      409,
      'INVALID_STATE',
      'ORDER_CREATED',
    ]);
  }
  expect(await historyLength(id)).toBe(before);

  // Funded: reserving again, creating a second escrow, cancelling, or resolving a dispute that was never opened are refused.
  const funded = await drive.funded(buyer.id, seller.id, '10');
  const mid = await historyLength(funded);
  for (const [path, body] of [
    [`/orders/${funded}/reserve`],
    [`/orders/${funded}/escrow`, { amount: '10', currency: 'USD' }],
    [`/orders/${funded}/escrow/fund`],
    [`/orders/${funded}/cancel`],
  ] as Array<[string, object?]>) {
    const res = await drive.post(path, body);
    expect([path, res.status, res.body.error?.details?.current_status]).toEqual([path, 409, 'IN_PROGRESS']);
  }
  expect(await historyLength(funded)).toBe(mid);
  expect((await drive.post(`/orders/${funded}/resolution/release`)).status).toBe(200);
  // A finished order answers from its final state.
  const again = await drive.post(`/orders/${funded}/resolution/refund`);
  expect([again.status, again.body.error.details.current_status]).toEqual([409, 'RELEASED']);
}, 120_000);

test('the same release sent twice with one Idempotency-Key releases once', async () => {
  const buyer = await drive.party('20');
  const seller = await drive.party();
  const id = await drive.funded(buyer.id, seller.id, '20');
  const idem = unique('release');
  const [a, b] = await Promise.all([
    drive.post(`/orders/${id}/resolution/release`, undefined, idem),
    drive.post(`/orders/${id}/resolution/release`, undefined, idem),
  ]);
  const statuses = [a.status, b.status].sort();
  // One runs; the other waits its turn (409 IN_PROGRESS while the first runs) or replays the stored answer.
  expect(statuses.includes(200)).toBe(true);
  const third = await drive.post(`/orders/${id}/resolution/release`, undefined, idem);
  expect(third.status).toBe(200);
  expect(third.headers.get('idempotent-replayed')).toBe('true');
  expect(third.body.data).toMatchObject({ status: 'RELEASED', released_amount: '19.44' });
  expect(await s.usdcBalance(seller.address)).toBe('19.4400000');
  expect(await s.balance(key, seller.id)).toEqual({ currency: 'USD', available: '19.44', held: '0' });
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM stellar_transactions WHERE business_key = $1 AND status = 'SUCCEEDED'`,
    [`order:${id}:release`],
  );
  expect(rows[0].n).toBe(1);
}, 120_000);

test('a deployment the indexer does not hold is refused, fails closed and shows on the order; asked again once the indexer has caught up, the same contract is accepted', async () => {
  const buyer = await drive.party('12');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '12');
  s.trustlessWork.holdIndexer(true);
  let refused;
  try {
    refused = await drive.post(`/orders/${id}/escrow`, { amount: '12', currency: 'USD' });
  } finally {
    s.trustlessWork.holdIndexer(false);
  }
  expect([refused.status, refused.body.error.code]).toEqual([502, 'PROVIDER_ERROR']);
  expect(refused.body.error.message).toMatch(/indexer did not take in the deployment of C[A-Z2-7]{55}/);
  const order = await drive.orderView(id);
  expect(order).toMatchObject({ last_error: { step: 'create_escrow', code: 'PROVIDER_ERROR' } });
  expect(order.escrow?.contract_id ?? null).toBeNull();
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '0', held: '12' });

  const again = await drive.post(`/orders/${id}/escrow`, { amount: '12', currency: 'USD' });
  expect(again.status).toBe(200);
  const contractId = again.body.data.contract_id as string;
  expect(refused.body.error.message).toContain(contractId); // the deployment was submitted once; now it is indexed
  expect(await contractBalance(contractId)).toBe(0);
}, 120_000);

test('a funding the network refuses answers 502, keeps the reservation, shows the error on the order, and can be cancelled', async () => {
  // The ledger says the buyer has 15, but the wallet holds nothing on chain: the contract's transfer traps.
  const buyer = await drive.party();
  const seller = await drive.party();
  await credit(db.pool, { kind: 'deposit', key: unique('ledger-only'), userId: buyer.id, amount: 150_000_000n, currency: 'USD' });
  const id = await drive.reserved(buyer.id, seller.id, '15');
  expect((await drive.post(`/orders/${id}/escrow`, { amount: '15', currency: 'USD' })).status).toBe(200);
  const fund = await drive.post(`/orders/${id}/escrow/fund`);
  expect(fund.status).toBe(502);
  expect(fund.body.error.code).toBe('PROVIDER_ERROR');
  expect(fund.body.error.details.result_codes.transaction).toMatch(/tx_failed|tx_fee_bump_inner_failed/);
  const order = await drive.orderView(id);
  expect(order).toMatchObject({
    status: 'ESCROW_CREATED',
    escrow: { status: 'CREATED' },
    // The workflow's refusal: final, and it does not count attempts.
    last_error: { step: 'fund_escrow', code: 'PROVIDER_ERROR', attempt: null, retrying: false },
  });
  expect(order.transitions.map((t: { status: string }) => t.status).slice(-2)).toEqual(['ESCROW_FUNDING', 'ESCROW_CREATED']);
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '0', held: '15' });
  const cancelled = await drive.post(`/orders/${id}/cancel`);
  expect(cancelled.body.data.status).toBe('CANCELLED');
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '15', held: '0' });
  await recordHistory('order-funding-refused', orderWorkflowId(id));
}, 120_000);

test('while Trustless Work is down the step is retried and shows on the order; it completes once the provider is back', async () => {
  const buyer = await drive.party('10');
  const seller = await drive.party();
  const id = await drive.reserved(buyer.id, seller.id, '10');
  const port = Number(new URL(s.trustlessWork.url).port);
  await s.trustlessWork.stop();
  const idem = unique('escrow');
  // A client that waits 2 s for a step that cannot finish gets 202 with the order in flight: never a 504.
  const pending = await s.api.call('POST', `/api/v1/orders/${id}/escrow`, {
    key,
    body: { amount: '10', currency: 'USD' },
    headers: { 'idempotency-key': idem, prefer: 'wait=2' },
  });
  expect([pending.status, pending.headers.get('preference-applied'), pending.body.data.order_status]).toEqual([
    202,
    'wait=2',
    'ESCROW_CREATING',
  ]);
  const stuck = await eventually(
    async () => {
      const o = await drive.orderView(id);
      return o.last_error?.attempt >= 2 && o;
    },
    30_000,
    'a second failed attempt on the order',
  );
  expect(stuck).toMatchObject({
    status: 'ESCROW_CREATING',
    last_error: { step: 'create_escrow', code: 'PROVIDER_UNAVAILABLE', retrying: true },
  });
  // A read key sees a sentence of ours, never the exception's text (addresses, errno names): those stay in the logs.
  expect(stuck.last_error.message).toMatch(/could not be reached/);
  expect(stuck.last_error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|:\d{2,5}/);

  // Back on the same port for the rest of the suite (stopped in afterAll).
  const back = await startTrustlessWorkSandbox({
    port,
    stellar: s.sandbox,
    apiKey: s.overrides.TRUSTLESS_WORK_API_KEY,
    requestsPerMinute: TW_TEST_REQUESTS_PER_MINUTE,
  });
  restarted.push(back);
  const done = await eventually(
    async () => {
      const o = await drive.orderView(id);
      return o.status === 'ESCROW_CREATED' && o;
    },
    90_000,
    'escrow creation once Trustless Work is back',
  );
  expect(done.last_error).toBeNull();
  expect(done.escrow.contract_id).toMatch(/^C/);
  // The same request again (same key) answers the step's current state: the created escrow.
  const again = await drive.post(`/orders/${id}/escrow`, { amount: '10', currency: 'USD' }, idem);
  expect([again.status, again.headers.get('idempotent-replayed'), again.body.data.status]).toEqual([200, 'true', 'CREATED']);
}, 180_000);

test('one buyer funding three orders at once: each transaction gets its own sequence number, all three are funded', async () => {
  // The buyer's transactions go one at a time (one sequence number): under load a request may outlast the update
  // timeout (504) and is then sent again with its key, as a client should.
  const buyer = await drive.party('30');
  const seller = await drive.party();
  const ids = await Promise.all(
    ['5', '6', '7'].map(async (amount) => {
      const id = await drive.reserved(buyer.id, seller.id, amount);
      expect((await drive.postUntilAnswered(`/orders/${id}/escrow`, { amount, currency: 'USD' })).status).toBe(200);
      return id;
    }),
  );
  const funded = await Promise.all(ids.map((id) => drive.postUntilAnswered(`/orders/${id}/escrow/fund`)));
  expect(funded.map((r) => [r.status, r.body.data?.status])).toEqual([
    [200, 'FUNDED'],
    [200, 'FUNDED'],
    [200, 'FUNDED'],
  ]);
  expect(await s.usdcBalance(buyer.address)).toBe('12.0000000');
  expect(await s.balance(key, buyer.id)).toEqual({ currency: 'USD', available: '12', held: '18' });
}, 120_000);
