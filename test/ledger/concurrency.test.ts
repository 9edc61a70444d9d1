import { batchStats, credit, reserve, retryCounts, settleEscrow, moveToEscrow } from '../../src/ledger';
import { AppError } from '../../src/errors';
import { testDatabase } from '../helpers/db';
import { buckets, createUsers, u, uniqueKey } from './fixtures';

const database = testDatabase(50);
const pool = database.pool;
afterAll(() => database.close());

describe('concurrent movements', () => {
  it('200 concurrent reserves of 10 against 500: exactly 50 succeed, 150 get INSUFFICIENT_FUNDS, balances exact', async () => {
    const [user] = await createUsers(pool, 1);
    await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(500) });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => reserve(pool, { key: uniqueKey(`res-${i}`), userId: user, currency: 'USD', amount: u(10) })),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(50);
    expect(failed).toHaveLength(150);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(AppError);
      expect((f.reason as AppError).code).toBe('INSUFFICIENT_FUNDS');
      expect((f.reason as AppError).details).toMatchObject({ requested: '10', currency: 'USD' });
    }
    expect(await buckets(pool, user)).toEqual({ available: 0n, reserved: u(500), escrow: 0n, withdrawing: 0n });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ledger_postings WHERE user_id = $1 AND amount < 0`, [user]);
    expect(rows[0].n).toBe(50);
  });

  it('settlements in opposite directions between two users complete exactly, without a single deadlock (rows lock in one order)', async () => {
    const [a, b] = await createUsers(pool, 2);
    for (const user of [a, b]) {
      await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(1000) });
      await reserve(pool, { key: uniqueKey('res'), userId: user, currency: 'USD', amount: u(1000) });
      await moveToEscrow(pool, { key: uniqueKey('esc'), buyerId: user, currency: 'USD', amount: u(1000) });
    }
    // a pays b and b pays a at once, each touching the other's available and its own escrow plus a fee shard.
    const moves = Array.from({ length: 100 }, (_, i) => {
      const [buyer, seller] = i % 2 === 0 ? [a, b] : [b, a];
      return settleEscrow(pool, { key: uniqueKey(`x-${i}`), buyerId: buyer, sellerId: seller, currency: 'USD', amount: u(3), fee: 1n });
    });
    const deadlocksBefore = retryCounts()['40P01'];
    await Promise.all(moves);
    expect(retryCounts()['40P01']).toBe(deadlocksBefore);
    const [ba, bb] = [await buckets(pool, a), await buckets(pool, b)];
    expect(ba.escrow).toBe(u(1000) - 50n * u(3));
    expect(bb.escrow).toBe(u(1000) - 50n * u(3));
    expect(ba.available).toBe(50n * (u(3) - 1n));
    expect(bb.available).toBe(50n * (u(3) - 1n));
  });

  it('movements sent together share statements, yet each one that is short fails alone and the others post', async () => {
    const users = await createUsers(pool, 30);
    await Promise.all(
      users.map((user, i) =>
        credit(pool, { key: uniqueKey(`fund-${i}`), kind: 'deposit', userId: user, currency: 'USD', amount: u(i % 3 === 0 ? 5 : 20) }),
      ),
    );
    const before = batchStats();
    const outcomes = await Promise.allSettled(
      users.map((user, i) => reserve(pool, { key: uniqueKey(`res-${i}`), userId: user, currency: 'USD', amount: u(10) })),
    );
    const after = batchStats();
    expect(after.statements - before.statements).toBeLessThan(after.entries - before.entries); // some statements carried several
    outcomes.forEach((o, i) => {
      if (i % 3 === 0) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toMatchObject({
          code: 'INSUFFICIENT_FUNDS',
          details: { available: '5', requested: '10' },
        });
      } else {
        expect(o.status).toBe('fulfilled');
      }
    });
    for (const [i, user] of users.entries()) {
      expect(await buckets(pool, user)).toEqual(
        i % 3 === 0
          ? { available: u(5), reserved: 0n, escrow: 0n, withdrawing: 0n }
          : { available: u(10), reserved: u(10), escrow: 0n, withdrawing: 0n },
      );
    }
  });
});
