import { loadConfig } from '../../src/config';
import { verifyLedger } from '../../src/ledger';
import { reconcileCustody } from '../../src/reconciliation/custody';
import { createStellarNetwork } from '../../src/stellar/network';
import { orderWorkflowId } from '../../workflows/ids';
import { testDatabase } from '../helpers/db';
import { orderDriver } from '../helpers/escrow-orders';
import { recordHistory } from '../helpers/histories';
import { startStellarStack, StellarStack } from '../helpers/stellar-stack';

/** Orders with a Trustless Work escrow on the sandbox, end to end through REST: 2.5% platform fee, 0.3% protocol fee. */
let s: StellarStack;
let key: string;
let drive: ReturnType<typeof orderDriver>;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startStellarStack({ PLATFORM_FEE_PERCENT: '2.5' });
  key = await s.api.keyWith('read', 'write');
  drive = orderDriver(s, key, await s.api.keyWith('read', 'support'));
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

async function contractBalance(contractId: string): Promise<number> {
  const [escrow] = (await (await fetch(`${s.trustlessWork.url}/helper/get-escrow-by-contract-ids?contractIds[]=${contractId}`, { headers: { 'x-api-key': s.overrides.TRUSTLESS_WORK_API_KEY } })).json()) as Array<{ balance: number }>;
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
  expect(created.body.data).toMatchObject({ order_id: id, status: 'CREATED', order_status: 'ESCROW_CREATED', amount: '40', currency: 'USD', platform_fee_percent: '2.5' });
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
  expect(released.body.data).toMatchObject({ status: 'RELEASED', order_status: 'RELEASED', released_amount: '38.88', refunded_amount: '0', fees: { platform: '1', protocol: '0.12' } });
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
    'ORDER_CREATED', 'FUNDS_RESERVED', 'ESCROW_CREATING', 'ESCROW_CREATED', 'ESCROW_FUNDING', 'IN_PROGRESS', 'DELIVERED', 'RELEASING', 'RELEASED',
  ]);
  expect(order.last_error).toBeNull();
  const events = await db.pool.query(`SELECT type FROM events WHERE resource_id = $1 AND type LIKE 'escrow.%' ORDER BY id`, [id]);
  expect(events.rows.map((r) => r.type)).toEqual(['escrow.created', 'escrow.funded', 'escrow.released']);

  expect((await verifyLedger(db.pool)).ok).toBe(true);
  const custody = await reconcileCustody(db.pool, createStellarNetwork(loadConfig({ ...process.env, ...s.overrides })), { userIds: [buyer.id, seller.id] });
  expect(custody.totals.drift).toBe('0');
  await recordHistory('order-released', orderWorkflowId(id));
}, 120_000);
