import {
  credit,
  findEntry,
  finalizeWithdrawal,
  holdForWithdrawal,
  moveToEscrow,
  refundEscrow,
  releaseReservation,
  reserve,
  reverseWithdrawal,
  settleEscrow,
  splitEscrow,
} from '../../src/ledger';
import { AppError } from '../../src/errors';
import type { PostedEntry } from '../../src/ledger';
import { testDatabase } from '../helpers/db';
import { buckets, createUsers, u, uniqueKey } from './fixtures';

const database = testDatabase(10);
const pool = database.pool;
afterAll(() => database.close());

async function funded(amount: bigint, currency: 'USD' | 'XLM' = 'USD'): Promise<string> {
  const [user] = await createUsers(pool, 1);
  await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency, amount });
  return user;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the operation to be rejected');
}

function legs(entry: PostedEntry): string[] {
  return entry.postings.map((p) => `${'system' in p.account ? p.account.system : `user:${p.account.bucket}`}=${p.amount}`).sort();
}

describe('credit', () => {
  it('a deposit moves money from Stellar custody into available and records the running balance', async () => {
    const [user] = await createUsers(pool, 1);
    const entry = await credit(pool, {
      key: uniqueKey('dep'),
      kind: 'deposit',
      userId: user,
      currency: 'USD',
      amount: u(100),
      related: { type: 'deposit', id: 'dep_1' },
      metadata: { tx_hash: 'abc' },
    });
    expect(entry.type).toBe('deposit');
    expect(entry.replayed).toBe(false);
    expect(entry.related).toEqual({ type: 'deposit', id: 'dep_1' });
    expect(legs(entry)).toEqual([`stellar_custody=${-u(100)}`, `user:available=${u(100)}`].sort());
    expect(entry.postings.find((p) => 'userId' in p.account)!.balanceAfter).toBe(u(100));
    expect(await buckets(pool, user)).toEqual({ available: u(100), reserved: 0n, escrow: 0n, withdrawing: 0n });
  });

  it('top-ups come from Airtm clearing and on-ramp purchases from the on-ramp account', async () => {
    const [user] = await createUsers(pool, 1);
    const topUp = await credit(pool, { key: uniqueKey('top'), kind: 'top_up', userId: user, currency: 'USD', amount: u(5) });
    const onRamp = await credit(pool, { key: uniqueKey('ramp'), kind: 'on_ramp', userId: user, currency: 'XLM', amount: 7n });
    expect(legs(topUp)).toEqual([`airtm_clearing=${-u(5)}`, `user:available=${u(5)}`]);
    expect(legs(onRamp)).toEqual(['onramp=-7', 'user:available=7']);
    expect((await buckets(pool, user, 'USD')).available).toBe(u(5));
    expect((await buckets(pool, user, 'XLM')).available).toBe(7n);
  });

  it('crediting a user that does not exist is USER_NOT_FOUND and creates nothing', async () => {
    const key = uniqueKey('ghost');
    const err = await rejection(credit(pool, { key, kind: 'deposit', userId: 'usr_does_not_exist', currency: 'USD', amount: 1n }));
    expect(err.code).toBe('USER_NOT_FOUND');
    expect(err.details).toEqual({ user_id: 'usr_does_not_exist' });
    expect(await findEntry(pool, key)).toBeNull();
  });

  it.each([
    ['zero', 0n],
    ['negative', -5n],
    ['a number, not a bigint', 5 as unknown as bigint],
  ])('an amount that is %s is VALIDATION_ERROR', async (_label, amount) => {
    const [user] = await createUsers(pool, 1);
    const err = await rejection(credit(pool, { key: uniqueKey('bad'), kind: 'deposit', userId: user, currency: 'USD', amount }));
    expect(err.code).toBe('VALIDATION_ERROR');
  });

  it('an unsupported currency or an empty key is VALIDATION_ERROR', async () => {
    const [user] = await createUsers(pool, 1);
    const cur = await rejection(
      credit(pool, { key: uniqueKey('cur'), kind: 'deposit', userId: user, currency: 'EUR' as 'USD', amount: 1n }),
    );
    expect(cur.code).toBe('VALIDATION_ERROR');
    const key = await rejection(credit(pool, { key: '', kind: 'deposit', userId: user, currency: 'USD', amount: 1n }));
    expect(key.code).toBe('VALIDATION_ERROR');
  });
});

describe('reservations', () => {
  it('reserve moves available to reserved; releasing moves it back', async () => {
    const user = await funded(u(100));
    const r = await reserve(pool, {
      key: uniqueKey('res'),
      userId: user,
      currency: 'USD',
      amount: u(30),
      related: { type: 'order', id: 'ord_a' },
    });
    expect(r.type).toBe('reserve');
    expect(await buckets(pool, user)).toEqual({ available: u(70), reserved: u(30), escrow: 0n, withdrawing: 0n });
    const rel = await releaseReservation(pool, { key: uniqueKey('rel'), userId: user, currency: 'USD', amount: u(10) });
    expect(rel.type).toBe('reservation_release');
    expect(await buckets(pool, user)).toEqual({ available: u(80), reserved: u(20), escrow: 0n, withdrawing: 0n });
  });

  it('reserving more than available is INSUFFICIENT_FUNDS with decimal amounts, and nothing moves', async () => {
    const user = await funded(u(10));
    const key = uniqueKey('res-big');
    const err = await rejection(reserve(pool, { key, userId: user, currency: 'USD', amount: u(10) + 1n }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.status).toBe(422);
    expect(err.details).toMatchObject({ available: '10', requested: '10.0000001', currency: 'USD', bucket: 'available' });
    expect(await buckets(pool, user)).toEqual({ available: u(10), reserved: 0n, escrow: 0n, withdrawing: 0n });
    expect(await findEntry(pool, key)).toBeNull();
  });

  it('releasing more than is reserved is INSUFFICIENT_FUNDS on the reserved bucket', async () => {
    const user = await funded(u(10));
    await reserve(pool, { key: uniqueKey('res'), userId: user, currency: 'USD', amount: u(4) });
    const err = await rejection(releaseReservation(pool, { key: uniqueKey('rel'), userId: user, currency: 'USD', amount: u(5) }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.details).toMatchObject({ available: '4', requested: '5', bucket: 'reserved' });
  });

  it('a user with no funds in XLM cannot reserve XLM even with USD available', async () => {
    const user = await funded(u(10), 'USD');
    const err = await rejection(reserve(pool, { key: uniqueKey('res'), userId: user, currency: 'XLM', amount: 1n }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.details).toMatchObject({ available: '0', requested: '0.0000001', currency: 'XLM' });
  });
});

describe('escrow', () => {
  async function buyerWithEscrow(amount: bigint) {
    const buyer = await funded(amount);
    const [seller] = await createUsers(pool, 1);
    await reserve(pool, { key: uniqueKey('res'), userId: buyer, currency: 'USD', amount });
    await moveToEscrow(pool, { key: uniqueKey('esc'), buyerId: buyer, currency: 'USD', amount });
    return { buyer, seller };
  }

  it('moveToEscrow moves reserved funds into the buyer escrow bucket, which still counts as held', async () => {
    const { buyer } = await buyerWithEscrow(u(50));
    expect(await buckets(pool, buyer)).toEqual({ available: 0n, reserved: 0n, escrow: u(50), withdrawing: 0n });
  });

  it('moveToEscrow beyond the reserved amount is INSUFFICIENT_FUNDS', async () => {
    const buyer = await funded(u(50));
    const err = await rejection(moveToEscrow(pool, { key: uniqueKey('esc'), buyerId: buyer, currency: 'USD', amount: u(1) }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.details).toMatchObject({ available: '0', requested: '1', bucket: 'reserved' });
  });

  it('settling pays the seller the amount minus the fee and posts the fee separately to the fee account', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(100));
    const entry = await settleEscrow(pool, {
      key: uniqueKey('settle'),
      buyerId: buyer,
      sellerId: seller,
      currency: 'USD',
      amount: u(100),
      fee: u(3),
    });
    expect(entry.type).toBe('escrow_release');
    expect(legs(entry)).toEqual([`fees=${u(3)}`, `user:available=${u(97)}`, `user:escrow=${-u(100)}`].sort());
    expect((await buckets(pool, buyer)).escrow).toBe(0n);
    expect((await buckets(pool, seller)).available).toBe(u(97));
  });

  it('settling with a zero fee posts no fee leg', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const entry = await settleEscrow(pool, {
      key: uniqueKey('settle'),
      buyerId: buyer,
      sellerId: seller,
      currency: 'USD',
      amount: u(10),
      fee: 0n,
    });
    expect(legs(entry)).toEqual([`user:available=${u(10)}`, `user:escrow=${-u(10)}`]);
  });

  it('a fee larger than the amount is VALIDATION_ERROR', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const err = await rejection(
      settleEscrow(pool, { key: uniqueKey('settle'), buyerId: buyer, sellerId: seller, currency: 'USD', amount: u(10), fee: u(11) }),
    );
    expect(err.code).toBe('VALIDATION_ERROR');
  });

  it('settling more than is in escrow is INSUFFICIENT_FUNDS on the buyer escrow bucket', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const err = await rejection(
      settleEscrow(pool, { key: uniqueKey('settle'), buyerId: buyer, sellerId: seller, currency: 'USD', amount: u(11), fee: 0n }),
    );
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.details).toMatchObject({ available: '10', requested: '11', bucket: 'escrow', user_id: buyer });
    expect((await buckets(pool, seller)).available).toBe(0n);
  });

  it('refunding returns escrowed funds to the buyer available bucket', async () => {
    const { buyer } = await buyerWithEscrow(u(40));
    const entry = await refundEscrow(pool, { key: uniqueKey('refund'), buyerId: buyer, currency: 'USD', amount: u(40) });
    expect(entry.type).toBe('escrow_refund');
    expect(await buckets(pool, buyer)).toEqual({ available: u(40), reserved: 0n, escrow: 0n, withdrawing: 0n });
  });

  it('a split releases part to the seller (fee taken from that part) and refunds the rest to the buyer', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(100));
    const entry = await splitEscrow(pool, {
      key: uniqueKey('split'),
      buyerId: buyer,
      sellerId: seller,
      currency: 'USD',
      releaseAmount: u(60),
      refundAmount: u(40),
      fee: u(2),
    });
    expect(entry.type).toBe('escrow_split');
    expect(legs(entry)).toEqual([`fees=${u(2)}`, `user:available=${u(40)}`, `user:available=${u(58)}`, `user:escrow=${-u(100)}`].sort());
    expect(await buckets(pool, buyer)).toEqual({ available: u(40), reserved: 0n, escrow: 0n, withdrawing: 0n });
    expect((await buckets(pool, seller)).available).toBe(u(58));
  });

  it('a split with a zero refund part and a fee on the release moves only the release legs', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const entry = await splitEscrow(pool, {
      key: uniqueKey('split'),
      buyerId: buyer,
      sellerId: seller,
      currency: 'USD',
      releaseAmount: u(10),
      refundAmount: 0n,
      fee: u(1),
    });
    expect(legs(entry)).toEqual([`fees=${u(1)}`, `user:available=${u(9)}`, `user:escrow=${-u(10)}`].sort());
  });

  it('a split whose fee exceeds the released part is VALIDATION_ERROR', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const err = await rejection(
      splitEscrow(pool, {
        key: uniqueKey('split'),
        buyerId: buyer,
        sellerId: seller,
        currency: 'USD',
        releaseAmount: u(1),
        refundAmount: u(9),
        fee: u(2),
      }),
    );
    expect(err.code).toBe('VALIDATION_ERROR');
  });

  it('a split where both parts are zero is VALIDATION_ERROR', async () => {
    const { buyer, seller } = await buyerWithEscrow(u(10));
    const err = await rejection(
      splitEscrow(pool, {
        key: uniqueKey('split'),
        buyerId: buyer,
        sellerId: seller,
        currency: 'USD',
        releaseAmount: 0n,
        refundAmount: 0n,
        fee: 0n,
      }),
    );
    expect(err.code).toBe('VALIDATION_ERROR');
  });
});

describe('withdrawals', () => {
  it('a hold moves available to withdrawing; finalizing pays it out to the rail account', async () => {
    const user = await funded(u(20));
    const hold = await holdForWithdrawal(pool, { key: uniqueKey('hold'), userId: user, currency: 'USD', amount: u(15) });
    expect(hold.type).toBe('withdrawal_hold');
    expect(await buckets(pool, user)).toEqual({ available: u(5), reserved: 0n, escrow: 0n, withdrawing: u(15) });
    const fin = await finalizeWithdrawal(pool, { key: uniqueKey('fin'), userId: user, currency: 'USD', amount: u(15), rail: 'airtm' });
    expect(fin.type).toBe('withdrawal_finalize');
    expect(legs(fin)).toEqual([`airtm_clearing=${u(15)}`, `user:withdrawing=${-u(15)}`]);
    expect(await buckets(pool, user)).toEqual({ available: u(5), reserved: 0n, escrow: 0n, withdrawing: 0n });
  });

  it('finalizing a Stellar withdrawal pays out to Stellar custody', async () => {
    const user = await funded(u(3));
    await holdForWithdrawal(pool, { key: uniqueKey('hold'), userId: user, currency: 'USD', amount: u(3) });
    const fin = await finalizeWithdrawal(pool, { key: uniqueKey('fin'), userId: user, currency: 'USD', amount: u(3), rail: 'stellar' });
    expect(legs(fin)).toEqual([`stellar_custody=${u(3)}`, `user:withdrawing=${-u(3)}`]);
  });

  it('reversing a hold returns the funds to available', async () => {
    const user = await funded(u(20));
    await holdForWithdrawal(pool, { key: uniqueKey('hold'), userId: user, currency: 'USD', amount: u(20) });
    const rev = await reverseWithdrawal(pool, { key: uniqueKey('rev'), userId: user, currency: 'USD', amount: u(20) });
    expect(rev.type).toBe('withdrawal_reverse');
    expect(await buckets(pool, user)).toEqual({ available: u(20), reserved: 0n, escrow: 0n, withdrawing: 0n });
  });

  it('holding more than available, or finalizing more than is held, is INSUFFICIENT_FUNDS', async () => {
    const user = await funded(u(5));
    const hold = await rejection(holdForWithdrawal(pool, { key: uniqueKey('hold'), userId: user, currency: 'USD', amount: u(6) }));
    expect(hold.code).toBe('INSUFFICIENT_FUNDS');
    expect(hold.details).toMatchObject({ available: '5', requested: '6' });
    const fin = await rejection(
      finalizeWithdrawal(pool, { key: uniqueKey('fin'), userId: user, currency: 'USD', amount: 1n, rail: 'stellar' }),
    );
    expect(fin.code).toBe('INSUFFICIENT_FUNDS');
    expect(fin.details).toMatchObject({ available: '0', requested: '0.0000001', bucket: 'withdrawing' });
  });

  it('an unknown rail is VALIDATION_ERROR', async () => {
    const user = await funded(u(5));
    const err = await rejection(
      finalizeWithdrawal(pool, { key: uniqueKey('fin'), userId: user, currency: 'USD', amount: 1n, rail: 'paypal' as 'stellar' }),
    );
    expect(err.code).toBe('VALIDATION_ERROR');
  });
});
