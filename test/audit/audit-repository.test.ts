import { Keypair } from '@stellar/stellar-sdk';
import { recordAudit } from '../../src/audit/audit-repository';
import { newId } from '../../src/ids';
import { credit } from '../../src/ledger';
import { initialOrderState } from '../../src/orders/order-state';
import { insertOrder, projectOrder } from '../../src/orders/orders-repository';
import { createWithdrawal, setWithdrawalStatus } from '../../src/withdrawals/withdrawals-repository';
import { testDatabase } from '../helpers/db';
import { createUsers, u, uniqueKey } from '../ledger/fixtures';

/** The audit log's writes: in the change's transaction (rolled back with it) and once per change (retries add nothing). */
const database = testDatabase(5);
const { pool, db } = database;
afterAll(() => database.close());

const alice = { type: 'api_key' as const, id: 'key_alice', requestId: 'req-alice' };
const entriesOf = async (resourceId: string) =>
  (
    await pool.query(
      `SELECT action, actor_type, actor_id, request_id, status_before, status_after FROM audit_log WHERE resource_id = $1 ORDER BY id`,
      [resourceId],
    )
  ).rows;

test('recording the same business key twice keeps one entry', async () => {
  const entry = {
    dedupeKey: uniqueKey('audit'),
    actor: alice,
    action: 'order.reserve',
    resourceType: 'order',
    resourceId: newId('ord'),
    statusBefore: 'ORDER_CREATED',
    statusAfter: 'FUNDS_RESERVED',
  };
  expect(await recordAudit(pool, entry)).toBe(true);
  expect(await recordAudit(pool, { ...entry, actor: { type: 'system', id: 'worker' } })).toBe(false);
  expect(await entriesOf(entry.resourceId)).toEqual([
    {
      action: 'order.reserve',
      actor_type: 'api_key',
      actor_id: 'key_alice',
      request_id: 'req-alice',
      status_before: 'ORDER_CREATED',
      status_after: 'FUNDS_RESERVED',
    },
  ]);
});

test('a projection retried (same version) or late (older version) records nothing more; the status before is the row’s', async () => {
  const [buyer, seller] = await createUsers(pool, 2);
  const id = newId('ord');
  await insertOrder(db, { id, buyerId: buyer, sellerId: seller, amount: u(5), currency: 'USD', title: 't' }, new Date());
  const reserved = { ...initialOrderState, status: 'FUNDS_RESERVED' as const };
  const projection = {
    orderId: id,
    version: 2,
    state: reserved,
    at: new Date().toISOString(),
    audit: { request: 'reserve' as const, by: alice },
  };
  await projectOrder(db, projection);
  await projectOrder(db, projection);
  await projectOrder(db, {
    ...projection,
    version: 3,
    state: { ...reserved, status: 'CANCELLED' },
    audit: { request: 'cancel', by: alice },
  });
  await projectOrder(db, { ...projection, version: 2, state: { ...reserved, status: 'ESCROW_CREATING' } });
  expect((await entriesOf(id)).map((e) => [e.action, e.status_before, e.status_after])).toEqual([
    ['order.reserve', 'ORDER_CREATED', 'FUNDS_RESERVED'],
    ['order.cancel', 'FUNDS_RESERVED', 'CANCELLED'],
  ]);
});

test('a withdrawal that cannot be stored or is refused records nothing; one committed and retried records once, each outcome once', async () => {
  const [user] = await createUsers(pool, 1);
  await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(10) });
  const w = { userId: user, amount: u(4), currency: 'USD' as const, address: Keypair.random().publicKey(), memo: null };

  const unstorable = newId('wd');
  await expect(
    createWithdrawal(pool, db, { ...w, id: unstorable, memo: { type: 'text', value: 'a\u0000b' } }, alice),
  ).rejects.toMatchObject({
    code: '22021',
  });
  const refused = newId('wd');
  await expect(createWithdrawal(pool, db, { ...w, id: refused, amount: u(11) }, alice)).rejects.toMatchObject({
    code: 'INSUFFICIENT_FUNDS',
  });
  expect([...(await entriesOf(unstorable)), ...(await entriesOf(refused))]).toEqual([]);

  const id = newId('wd');
  await createWithdrawal(pool, db, { ...w, id }, alice);
  await createWithdrawal(pool, db, { ...w, id }, alice);
  await setWithdrawalStatus(db, id, 'WITHDRAWAL_PENDING');
  await setWithdrawalStatus(db, id, 'WITHDRAWAL_PENDING');
  await setWithdrawalStatus(db, id, 'WITHDRAWAL_FAILED', { failureCode: 'op_no_trust' });
  expect((await entriesOf(id)).map((e) => [e.action, e.actor_id, e.request_id, e.status_before, e.status_after])).toEqual([
    ['withdrawal.create', 'key_alice', 'req-alice', null, 'WITHDRAWAL_COMMITTED'],
    ['withdrawal.submit', 'worker', null, 'WITHDRAWAL_COMMITTED', 'WITHDRAWAL_PENDING'],
    ['withdrawal.fail', 'worker', null, 'WITHDRAWAL_PENDING', 'WITHDRAWAL_FAILED'],
  ]);
});
