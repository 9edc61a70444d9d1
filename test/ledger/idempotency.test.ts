import {
  credit,
  finalizeWithdrawal,
  holdForWithdrawal,
  moveToEscrow,
  type PostedEntry,
  refundEscrow,
  releaseReservation,
  reserve,
  reverseWithdrawal,
  settleEscrow,
  splitEscrow,
} from '../../src/ledger';
import { AppError } from '../../src/errors';
import type { Pool } from 'pg';
import { testDatabase } from '../helpers/db';
import { createUsers, u, uniqueKey } from './fixtures';

const database = testDatabase(10);
const pool = database.pool;
afterAll(() => database.close());

/** Every account row the given users own, plus the count of their postings: what "moved nothing" compares. */
async function snapshot(users: string[]) {
  const { rows } = await pool.query(
    `SELECT a.user_id, a.bucket, a.currency, a.balance::text,
            (SELECT count(*) FROM ledger_postings p WHERE p.account_id = a.id)::int AS postings
       FROM ledger_accounts a WHERE a.user_id = ANY($1) ORDER BY a.user_id, a.bucket, a.currency`,
    [users],
  );
  return rows;
}

type Setup = { buyer: string; seller: string };
type Op = (pool: Pool, s: Setup, key: string) => Promise<PostedEntry>;

/** Each operation, with the state it needs prepared by earlier (distinct-key) movements. */
const OPERATIONS: Array<[string, Op]> = [
  ['credit', (p, s, key) => credit(p, { key, kind: 'deposit', userId: s.buyer, currency: 'USD', amount: u(1) })],
  ['reserve', (p, s, key) => reserve(p, { key, userId: s.buyer, currency: 'USD', amount: u(1) })],
  ['releaseReservation', (p, s, key) => releaseReservation(p, { key, userId: s.buyer, currency: 'USD', amount: u(1) })],
  ['moveToEscrow', (p, s, key) => moveToEscrow(p, { key, buyerId: s.buyer, currency: 'USD', amount: u(1) })],
  ['settleEscrow', (p, s, key) => settleEscrow(p, { key, buyerId: s.buyer, sellerId: s.seller, currency: 'USD', amount: u(1), fee: 1n })],
  ['refundEscrow', (p, s, key) => refundEscrow(p, { key, buyerId: s.buyer, currency: 'USD', amount: u(1) })],
  [
    'splitEscrow',
    (p, s, key) =>
      splitEscrow(p, { key, buyerId: s.buyer, sellerId: s.seller, currency: 'USD', releaseAmount: u(1), refundAmount: u(1), fee: 1n }),
  ],
  ['holdForWithdrawal', (p, s, key) => holdForWithdrawal(p, { key, userId: s.buyer, currency: 'USD', amount: u(1) })],
  ['finalizeWithdrawal', (p, s, key) => finalizeWithdrawal(p, { key, userId: s.buyer, currency: 'USD', amount: u(1), rail: 'stellar' })],
  ['reverseWithdrawal', (p, s, key) => reverseWithdrawal(p, { key, userId: s.buyer, currency: 'USD', amount: u(1) })],
];

/** Plenty in every bucket, so each operation can run once (and would run again if replays were not caught). */
async function prepared(): Promise<Setup> {
  const [buyer, seller] = await createUsers(pool, 2);
  await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: buyer, currency: 'USD', amount: u(100) });
  await reserve(pool, { key: uniqueKey('r'), userId: buyer, currency: 'USD', amount: u(50) });
  await moveToEscrow(pool, { key: uniqueKey('e'), buyerId: buyer, currency: 'USD', amount: u(20) });
  await holdForWithdrawal(pool, { key: uniqueKey('h'), userId: buyer, currency: 'USD', amount: u(10) });
  return { buyer, seller };
}

describe('replaying a business key', () => {
  it.each(OPERATIONS)('%s posted twice with the same key moves nothing the second time and returns the first entry', async (_name, op) => {
    const setup = await prepared();
    const key = uniqueKey('replay');
    const first = await op(pool, setup, key);
    expect(first.replayed).toBe(false);
    const after = await snapshot([setup.buyer, setup.seller]);
    const second = await op(pool, setup, key);
    expect(second.replayed).toBe(true);
    expect(second.id).toBe(first.id);
    expect(second.type).toBe(first.type);
    expect(second.postings.map((p) => p.amount).sort()).toEqual(first.postings.map((p) => p.amount).sort());
    expect(await snapshot([setup.buyer, setup.seller])).toEqual(after);
  });

  it('a replay succeeds even after the funds it moved are gone (it does not re-check the balance)', async () => {
    const [user] = await createUsers(pool, 1);
    const key = uniqueKey('res');
    await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(10) });
    const first = await reserve(pool, { key, userId: user, currency: 'USD', amount: u(10) });
    const again = await reserve(pool, { key, userId: user, currency: 'USD', amount: u(10) });
    expect(again.id).toBe(first.id);
    expect(again.replayed).toBe(true);
  });

  it('the same key concurrently from 20 callers posts once; all callers get the same entry', async () => {
    const [user] = await createUsers(pool, 1);
    await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(100) });
    const key = uniqueKey('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reserve(pool, { key, userId: user, currency: 'USD', amount: u(7) })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const { rows } = await pool.query(`SELECT bucket, balance::text FROM ledger_accounts WHERE user_id = $1 ORDER BY bucket`, [user]);
    expect(rows).toEqual([
      { bucket: 'available', balance: u(93).toString() },
      { bucket: 'reserved', balance: u(7).toString() },
    ]);
  });

  it('a key reused for a different movement is INVALID_STATE and moves nothing', async () => {
    const [user] = await createUsers(pool, 1);
    await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(100) });
    const key = uniqueKey('res');
    const first = await reserve(pool, { key, userId: user, currency: 'USD', amount: u(10) });
    const before = await snapshot([user]);
    let caught: unknown;
    try {
      await reserve(pool, { key, userId: user, currency: 'USD', amount: u(11) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('INVALID_STATE');
    expect((caught as AppError).details).toEqual({ key, entry_id: first.id });
    expect(await snapshot([user])).toEqual(before);
  });

  it('a key whose first attempt failed for insufficient funds can post once the funds are there', async () => {
    const [user] = await createUsers(pool, 1);
    const key = uniqueKey('res');
    await expect(reserve(pool, { key, userId: user, currency: 'USD', amount: u(5) })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount: u(5) });
    const posted = await reserve(pool, { key, userId: user, currency: 'USD', amount: u(5) });
    expect(posted.replayed).toBe(false);
  });
});
