import { encodeCursor } from '../../src/cursor';
import { credit, getBalances, getSystemBalances, getTransactions, holdForWithdrawal, moveToEscrow, reserve } from '../../src/ledger';
import { testDatabase } from '../helpers/db';
import { createUsers, u, uniqueKey } from './fixtures';

const database = testDatabase(5);
const pool = database.pool;
afterAll(() => database.close());

describe('getBalances', () => {
  it('a user with no movements has zero in every currency', async () => {
    const [user] = await createUsers(pool, 1);
    expect(await getBalances(pool, user)).toEqual([
      { currency: 'USD', available: '0', held: '0' },
      { currency: 'XLM', available: '0', held: '0' },
    ]);
  });

  it('held is reserved + escrow + withdrawing, per currency, as decimal strings', async () => {
    const [user] = await createUsers(pool, 1);
    await credit(pool, { key: uniqueKey('d'), kind: 'deposit', userId: user, currency: 'USD', amount: u(100) + 5_000_000n });
    await reserve(pool, { key: uniqueKey('r'), userId: user, currency: 'USD', amount: u(30) });
    await moveToEscrow(pool, { key: uniqueKey('e'), buyerId: user, currency: 'USD', amount: u(10) });
    await holdForWithdrawal(pool, { key: uniqueKey('w'), userId: user, currency: 'USD', amount: 1n });
    await credit(pool, { key: uniqueKey('x'), kind: 'on_ramp', userId: user, currency: 'XLM', amount: 3n });
    expect(await getBalances(pool, user)).toEqual([
      { currency: 'USD', available: '70.4999999', held: '30.0000001' },
      { currency: 'XLM', available: '0.0000003', held: '0' },
    ]);
  });
});

describe('getSystemBalances', () => {
  it('sums each system account over its shards; money in through a rail shows as negative there', async () => {
    const [user] = await createUsers(pool, 1);
    await credit(pool, { key: uniqueKey('d'), kind: 'deposit', userId: user, currency: 'XLM', amount: u(1) });
    const custody = (await getSystemBalances(pool)).find((b) => b.account === 'stellar_custody' && b.currency === 'XLM');
    expect(custody).toBeDefined();
    expect(custody!.balance).toMatch(/^-\d/);
  });
});

describe('getTransactions', () => {
  async function userWithHistory() {
    const [user] = await createUsers(pool, 1);
    await credit(pool, {
      key: uniqueKey('d'),
      kind: 'deposit',
      userId: user,
      currency: 'USD',
      amount: u(50),
      related: { type: 'deposit', id: 'dep_9' },
    });
    await reserve(pool, { key: uniqueKey('r1'), userId: user, currency: 'USD', amount: u(20), related: { type: 'order', id: 'ord_1' } });
    await reserve(pool, { key: uniqueKey('r2'), userId: user, currency: 'USD', amount: u(5), related: { type: 'order', id: 'ord_2' } });
    return user;
  }

  it('lists the user movements newest first with type, signed amount, bucket, running balance and related resource', async () => {
    const user = await userWithHistory();
    const page = await getTransactions(pool, user);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((t) => [t.type, t.bucket, t.amount, t.balanceAfter, t.related?.id])).toEqual([
      ['reserve', 'reserved', '5', '25', 'ord_2'],
      ['reserve', 'available', '-5', '25', 'ord_2'],
      ['reserve', 'reserved', '20', '20', 'ord_1'],
      ['reserve', 'available', '-20', '30', 'ord_1'],
      ['deposit', 'available', '50', '50', 'dep_9'],
    ]);
    expect(page.items.every((t) => t.currency === 'USD' && t.createdAt instanceof Date)).toBe(true);
  });

  it('a valid cursor past the oldest line gives an empty last page', async () => {
    const user = await userWithHistory();
    const page = await getTransactions(pool, user, { cursor: encodeCursor(1) });
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('pages with an opaque cursor without gaps or repeats', async () => {
    const user = await userWithHistory();
    const all = (await getTransactions(pool, user, { limit: 100 })).items.map((t) => t.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof getTransactions>> = await getTransactions(pool, user, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(seen).toHaveLength(5);
  });

  it('filters by currency', async () => {
    const user = await userWithHistory();
    await credit(pool, { key: uniqueKey('x'), kind: 'deposit', userId: user, currency: 'XLM', amount: 9n });
    const xlm = await getTransactions(pool, user, { currency: 'XLM' });
    expect(xlm.items.map((t) => [t.type, t.amount])).toEqual([['deposit', '0.0000009']]);
  });

  it.each([
    'garbage!',
    Buffer.from('p2:123').toString('base64url'),
    Buffer.from('p1:abc').toString('base64url'),
    Buffer.from('p1:0').toString('base64url'),
    encodeCursor('9223372036854775808'), // one past PostgreSQL's bigint
    ''.padEnd(100, 'a'),
  ])('a malformed cursor %j is VALIDATION_ERROR', async (cursor) => {
    await expect(getTransactions(pool, 'usr_x', { cursor })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { field: 'cursor' },
    });
  });

  it.each([0, 101, 1.5])('a limit of %s is VALIDATION_ERROR', async (limit) => {
    await expect(getTransactions(pool, 'usr_x', { limit })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { field: 'limit' },
    });
  });
});
