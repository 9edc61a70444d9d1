import { unique } from '../helpers/app';
import { orderDriver } from '../helpers/escrow-orders';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * The money path at the public network's pace: a ledger every 5 seconds (developers.stellar.org; the sandbox's
 * SANDBOX_LEDGER_INTERVAL_MS). A deposit, a full order lifecycle and a withdrawal complete, and no call answers 5xx:
 * steps on chain answer 202 and finish on the chain's time (issue 13, "Done means").
 */
let s: StellarStack;
let key: string;
let drive: ReturnType<typeof orderDriver>;
const answers: number[] = [];
beforeAll(async () => {
  const before = process.env.SANDBOX_LEDGER_INTERVAL_MS;
  process.env.SANDBOX_LEDGER_INTERVAL_MS = '5000';
  try {
    s = await startStellarStack();
  } finally {
    if (before === undefined) delete process.env.SANDBOX_LEDGER_INTERVAL_MS;
    else process.env.SANDBOX_LEDGER_INTERVAL_MS = before;
  }
  key = await s.api.keyWith('read', 'write');
  drive = orderDriver(s, key);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

/** A POST as a marketplace sends it, without waiting (no Prefer): its status is kept to check that none was 5xx. */
async function send(path: string, body?: object) {
  const res = await s.api.call('POST', `/api/v1${path}`, { key, body, headers: { 'idempotency-key': unique('idem') } });
  answers.push(res.status);
  return res;
}
const until = (id: string, status: string) =>
  eventually(async () => (await drive.orderView(id)).status === status, 90_000, `order ${status} at 5 s ledgers`);

test('at 5 s ledgers: a deposit, an order from reserve to release, and a withdrawal complete with no 5xx', async () => {
  const [buyer, seller] = await Promise.all([s.activeUser(key, 90_000), s.activeUser(key, 90_000)]);
  await s.faucet(buyer.address, '30');
  await eventually(async () => (await s.balance(key, buyer.id)).available === '30', 60_000, 'deposit credit at 5 s ledgers');

  const created = await send('/orders', { buyer_id: buyer.id, seller_id: seller.id, amount: '20', currency: 'USD', title: 'Paced' });
  const id: string = created.body.data.id;
  expect((await send(`/orders/${id}/reserve`)).status).toBe(200);
  expect((await send(`/orders/${id}/escrow`, { amount: '20', currency: 'USD' })).status).toBe(202);
  await until(id, 'ESCROW_CREATED');
  expect((await send(`/orders/${id}/escrow/fund`)).status).toBe(202);
  await until(id, 'IN_PROGRESS');
  expect((await send(`/orders/${id}/deliver`, { evidence: 'https://example.com/work.zip' })).status).toBe(202);
  await until(id, 'DELIVERED');
  expect((await send(`/orders/${id}/resolution/release`)).status).toBe(202);
  await until(id, 'RELEASED');
  expect(await s.balance(key, seller.id)).toEqual({ currency: 'USD', available: '19.94', held: '0' });

  const outside = await s.outsideAccount();
  const w = await send('/withdrawals', {
    user_id: buyer.id,
    amount: '4',
    currency: 'USD',
    destination: { type: 'stellar', address: outside.publicKey() },
  });
  expect(w.status).toBe(201);
  await eventually(
    async () => (await s.api.call('GET', `/api/v1/withdrawals/${w.body.data.id}`, { key })).body.data.status === 'WITHDRAWAL_COMPLETED',
    60_000,
    'withdrawal at 5 s ledgers',
  );
  expect(await s.usdcBalance(outside.publicKey())).toBe('4.0000000');
  expect(answers.filter((status) => status >= 500)).toEqual([]);
}, 300_000);
