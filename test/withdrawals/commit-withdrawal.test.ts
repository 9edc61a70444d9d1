import { Keypair } from '@stellar/stellar-sdk';
import { AppError } from '../../src/errors';
import { credit, findEntry } from '../../src/ledger';
import { newId } from '../../src/ids';
import { stellarDestinationSchema } from '../../src/withdrawals/destination';
import { createWithdrawal, findWithdrawal } from '../../src/withdrawals/withdrawals-repository';
import { testDatabase } from '../helpers/db';
import { buckets, createUsers, u, uniqueKey } from '../ledger/fixtures';

const database = testDatabase(5);
const { pool, db } = database;
afterAll(() => database.close());

const address = Keypair.random().publicKey();

async function funded(amount: bigint): Promise<string> {
  const [user] = await createUsers(pool, 1);
  await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: user, currency: 'USD', amount });
  return user;
}

describe('committing a withdrawal: the record and the hold in one transaction', () => {
  test('a record PostgreSQL cannot store (a NUL byte in the memo) leaves no hold: available stays 50, withdrawing 0', async () => {
    const user = await funded(u(50));
    const id = newId('wd');
    await expect(
      createWithdrawal(pool, db, { id, userId: user, amount: u(20), currency: 'USD', address, memo: { type: 'text', value: 'a\u0000b' } }),
    ).rejects.toMatchObject({ code: '22021' }); // invalid byte sequence for encoding "UTF8": 0x00
    expect(await buckets(pool, user)).toEqual({ available: u(50), reserved: 0n, escrow: 0n, withdrawing: 0n });
    expect(await findWithdrawal(db, id)).toBeNull();
    expect(await findEntry(pool, `withdrawal:${id}:hold`)).toBeNull();
  });

  test('a short balance is INSUFFICIENT_FUNDS with the amounts, and neither a record nor a hold is left', async () => {
    const user = await funded(u(10));
    const id = newId('wd');
    const err = await createWithdrawal(pool, db, { id, userId: user, amount: u(25), currency: 'USD', address, memo: null }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: '10', requested: '25' } });
    expect(await findWithdrawal(db, id)).toBeNull();
    expect(await buckets(pool, user)).toEqual({ available: u(10), reserved: 0n, escrow: 0n, withdrawing: 0n });
  });

  test('a committed withdrawal holds its amount once; committing it again returns the same row and holds nothing more', async () => {
    const user = await funded(u(30));
    const id = newId('wd');
    const input = { id, userId: user, amount: u(12), currency: 'USD' as const, address, memo: { type: 'text' as const, value: 'ref 7' } };
    const first = await createWithdrawal(pool, db, input);
    const again = await createWithdrawal(pool, db, input);
    expect(again).toEqual(first);
    expect(first).toMatchObject({ status: 'WITHDRAWAL_COMMITTED', memo: 'ref 7', memoType: 'text', amount: u(12) });
    expect(await buckets(pool, user)).toEqual({ available: u(18), reserved: 0n, escrow: 0n, withdrawing: u(12) });
  });
});

describe('the memo is validated like every text field', () => {
  test.each([
    ['a NUL byte', 'a\u0000b'],
    ['a newline', 'line\nbreak'],
    ['DEL', 'x\u007f'],
  ])('a text memo with %s is refused with its reason on memo', (_label, memo) => {
    const parsed = stellarDestinationSchema.safeParse({ type: 'stellar', address, memo });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toEqual([
      expect.objectContaining({ path: ['memo'], message: 'a text memo is at most 28 bytes of UTF-8 text without control characters' }),
    ]);
    const typed = stellarDestinationSchema.safeParse({ type: 'stellar', address, memo: { type: 'text', value: memo } });
    expect(typed.success).toBe(false);
  });

  test('a plain text memo of 28 bytes is accepted', () => {
    expect(stellarDestinationSchema.safeParse({ type: 'stellar', address, memo: 'x'.repeat(28) }).success).toBe(true);
  });
});
