import fc from 'fast-check';
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
  verifyLedger,
} from '../../src/ledger';
import { AppError } from '../../src/errors';
import { formatAmount, type Currency } from '../../src/money';
import { newId } from '../../src/ids';
import { testDatabase } from '../helpers/db';
import { buckets, createUsers } from './fixtures';

const database = testDatabase(10);
const pool = database.pool;
afterAll(() => database.close());

type Bucket = 'available' | 'reserved' | 'escrow' | 'withdrawing';
type Who = 0 | 1 | 2;

/** One movement, by party index (the users are made per run). Amounts are small so shortfalls are common. */
type Command =
  | { op: 'credit'; user: Who; currency: Currency; amount: bigint; kind: 'deposit' | 'top_up' | 'on_ramp' }
  | { op: 'reserve' | 'release' | 'escrow' | 'refund' | 'hold' | 'reverse'; user: Who; currency: Currency; amount: bigint }
  | { op: 'finalize'; user: Who; currency: Currency; amount: bigint; rail: 'stellar' | 'airtm' }
  | { op: 'settle'; user: Who; seller: Who; currency: Currency; amount: bigint; fee: bigint }
  | { op: 'split'; user: Who; seller: Who; currency: Currency; release: bigint; refund: bigint; fee: bigint };

/** A step: a new movement, a replay of an earlier step's key (a retry or a duplicate), or one sent twice at once. */
type Step = { kind: 'new'; cmd: Command } | { kind: 'again'; pick: number } | { kind: 'twice'; cmd: Command };

const who = fc.constantFrom<Who>(0, 1, 2);
const currency = fc.constantFrom<Currency>('USD', 'XLM');
const small = fc.bigInt({ min: 1n, max: 60n });

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('credit' as const),
    user: who,
    currency,
    amount: fc.bigInt({ min: 1n, max: 150n }),
    kind: fc.constantFrom('deposit' as const, 'top_up' as const, 'on_ramp' as const),
  }),
  fc.record({
    op: fc.constantFrom('reserve' as const, 'release' as const, 'escrow' as const, 'refund' as const, 'hold' as const, 'reverse' as const),
    user: who,
    currency,
    amount: small,
  }),
  fc.record({
    op: fc.constant('finalize' as const),
    user: who,
    currency,
    amount: small,
    rail: fc.constantFrom('stellar' as const, 'airtm' as const),
  }),
  small.chain((amount) =>
    fc.record({
      op: fc.constant('settle' as const),
      user: who,
      seller: who,
      currency,
      amount: fc.constant(amount),
      fee: fc.bigInt({ min: 0n, max: amount }),
    }),
  ),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 40n }), fc.bigInt({ min: 0n, max: 40n }))
    .filter(([a, b]) => a + b > 0n)
    .chain(([release, refund]) =>
      fc.record({
        op: fc.constant('split' as const),
        user: who,
        seller: who,
        currency,
        release: fc.constant(release),
        refund: fc.constant(refund),
        fee: fc.bigInt({ min: 0n, max: release }),
      }),
    ),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: command.map((cmd) => ({ kind: 'new' as const, cmd })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'again' as const, pick })) },
  { weight: 1, arbitrary: command.map((cmd) => ({ kind: 'twice' as const, cmd })) },
);

/** Balances the test expects, per user index, currency and bucket. */
class Model {
  private b = new Map<string, bigint>();
  get(user: Who, cur: Currency, bucket: Bucket) {
    return this.b.get(`${user}|${cur}|${bucket}`) ?? 0n;
  }
  add(user: Who, cur: Currency, bucket: Bucket, delta: bigint) {
    this.b.set(`${user}|${cur}|${bucket}`, this.get(user, cur, bucket) + delta);
  }
}

/** The user-side legs of a command, debit first: what the model applies and checks for a shortfall. */
function userLegs(c: Command): Array<[Who, Bucket, bigint]> {
  switch (c.op) {
    case 'credit':
      return [[c.user, 'available', c.amount]];
    case 'reserve':
      return [
        [c.user, 'available', -c.amount],
        [c.user, 'reserved', c.amount],
      ];
    case 'release':
      return [
        [c.user, 'reserved', -c.amount],
        [c.user, 'available', c.amount],
      ];
    case 'escrow':
      return [
        [c.user, 'reserved', -c.amount],
        [c.user, 'escrow', c.amount],
      ];
    case 'refund':
      return [
        [c.user, 'escrow', -c.amount],
        [c.user, 'available', c.amount],
      ];
    case 'hold':
      return [
        [c.user, 'available', -c.amount],
        [c.user, 'withdrawing', c.amount],
      ];
    case 'reverse':
      return [
        [c.user, 'withdrawing', -c.amount],
        [c.user, 'available', c.amount],
      ];
    case 'finalize':
      return [[c.user, 'withdrawing', -c.amount]];
    case 'settle':
      return [
        [c.user, 'escrow', -c.amount],
        [c.seller, 'available', c.amount - c.fee],
      ];
    case 'split':
      return [
        [c.user, 'escrow', -(c.release + c.refund)],
        [c.seller, 'available', c.release - c.fee],
        [c.user, 'available', c.refund],
      ];
  }
}

function execute(c: Command, users: string[], key: string): Promise<PostedEntry> {
  const base = { key, currency: c.currency };
  switch (c.op) {
    case 'credit':
      return credit(pool, { ...base, kind: c.kind, userId: users[c.user], amount: c.amount });
    case 'reserve':
      return reserve(pool, { ...base, userId: users[c.user], amount: c.amount });
    case 'release':
      return releaseReservation(pool, { ...base, userId: users[c.user], amount: c.amount });
    case 'escrow':
      return moveToEscrow(pool, { ...base, buyerId: users[c.user], amount: c.amount });
    case 'refund':
      return refundEscrow(pool, { ...base, buyerId: users[c.user], amount: c.amount });
    case 'hold':
      return holdForWithdrawal(pool, { ...base, userId: users[c.user], amount: c.amount });
    case 'reverse':
      return reverseWithdrawal(pool, { ...base, userId: users[c.user], amount: c.amount });
    case 'finalize':
      return finalizeWithdrawal(pool, { ...base, userId: users[c.user], amount: c.amount, rail: c.rail });
    case 'settle':
      return settleEscrow(pool, { ...base, buyerId: users[c.user], sellerId: users[c.seller], amount: c.amount, fee: c.fee });
    case 'split':
      return splitEscrow(pool, {
        ...base,
        buyerId: users[c.user],
        sellerId: users[c.seller],
        releaseAmount: c.release,
        refundAmount: c.refund,
        fee: c.fee,
      });
  }
}

async function outcome(p: Promise<PostedEntry>): Promise<PostedEntry | AppError> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('ledger under random sequences of every operation', () => {
  it('keeps every invariant and matches a model, with retries, duplicates and concurrent duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const users = await createUsers(pool, 3);
        const run = newId('run');
        const model = new Model();
        const history: Array<{ cmd: Command; key: string }> = [];
        const posted = new Map<string, string>(); // key -> entry id

        /** Checks one attempt's result against the model and applies it; `replayOk` when a twin may have posted it. */
        const expectOutcome = (cmd: Command, key: string, result: PostedEntry | AppError) => {
          const earlier = posted.get(key);
          if (earlier !== undefined) {
            expect(result).not.toBeInstanceOf(AppError);
            expect((result as PostedEntry).replayed).toBe(true);
            expect((result as PostedEntry).id).toBe(earlier);
            return;
          }
          const legs = userLegs(cmd);
          const short = legs.find(([w, bucket, delta]) => delta < 0n && model.get(w, cmd.currency, bucket) + delta < 0n);
          if (short) {
            expect(result).toBeInstanceOf(AppError);
            expect((result as AppError).code).toBe('INSUFFICIENT_FUNDS');
            expect((result as AppError).details).toMatchObject({
              available: formatAmount(model.get(short[0], cmd.currency, short[1])),
              requested: formatAmount(-short[2]),
              bucket: short[1],
            });
            return;
          }
          expect(result).not.toBeInstanceOf(AppError);
          expect((result as PostedEntry).replayed).toBe(false);
          for (const [w, bucket, delta] of legs) model.add(w, cmd.currency, bucket, delta);
          posted.set(key, (result as PostedEntry).id);
        };

        for (const s of steps) {
          if (s.kind === 'new') {
            const key = `${run}:${history.length}`;
            history.push({ cmd: s.cmd, key });
            expectOutcome(s.cmd, key, await outcome(execute(s.cmd, users, key)));
          } else if (s.kind === 'again') {
            if (history.length === 0) continue;
            const { cmd, key } = history[s.pick % history.length];
            expectOutcome(cmd, key, await outcome(execute(cmd, users, key)));
          } else {
            const key = `${run}:${history.length}`;
            history.push({ cmd: s.cmd, key });
            const [r1, r2] = await Promise.all([outcome(execute(s.cmd, users, key)), outcome(execute(s.cmd, users, key))]);
            // The first to commit is the fresh one; the other must be its replay (or both fail alike).
            const [first, second] = r1 instanceof AppError || r1.replayed ? [r2, r1] : [r1, r2];
            expectOutcome(s.cmd, key, first);
            expectOutcome(s.cmd, key, second);
          }

          const report = await verifyLedger(pool);
          expect(report.breaches).toEqual([]);
          for (const w of [0, 1, 2] as Who[]) {
            for (const cur of ['USD', 'XLM'] as Currency[]) {
              expect(await buckets(pool, users[w], cur)).toEqual({
                available: model.get(w, cur, 'available'),
                reserved: model.get(w, cur, 'reserved'),
                escrow: model.get(w, cur, 'escrow'),
                withdrawing: model.get(w, cur, 'withdrawing'),
              });
            }
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 240000);
});
