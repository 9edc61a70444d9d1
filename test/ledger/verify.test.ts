import type { Database } from '../../src/db/client';
import { credit, reserve, settleEscrow, moveToEscrow, verifyLedger } from '../../src/ledger';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';
import { runScript } from '../helpers/scripts';
import { createUsers, u, uniqueKey } from './fixtures';

/**
 * These tests corrupt a ledger on purpose, so each gets a database of its own on the run's server: the shared
 * one is checked by other suites at the same time.
 */
let own: OwnDatabase;
let database: Database;

beforeEach(async () => {
  own = await ownDatabase('verify');
  database = own.database;
});

afterEach(async () => {
  await own.drop();
});

async function someHistory() {
  const pool = database.pool;
  const [buyer, seller] = await createUsers(pool, 2);
  await credit(pool, { key: uniqueKey('fund'), kind: 'deposit', userId: buyer, currency: 'USD', amount: u(100) });
  await reserve(pool, { key: uniqueKey('res'), userId: buyer, currency: 'USD', amount: u(60) });
  await moveToEscrow(pool, { key: uniqueKey('esc'), buyerId: buyer, currency: 'USD', amount: u(60) });
  await settleEscrow(pool, { key: uniqueKey('set'), buyerId: buyer, sellerId: seller, currency: 'USD', amount: u(60), fee: u(1) });
  return { buyer, seller };
}

async function accountId(userId: string, bucket: string): Promise<string> {
  const { rows } = await database.pool.query(`SELECT id::text FROM ledger_accounts WHERE user_id = $1 AND bucket = $2`, [userId, bucket]);
  return rows[0].id;
}

const verifyScript = (url: string) => runScript('ledger-verify.ts', { ...process.env, DATABASE_URL: url });

describe('verifyLedger', () => {
  it('a ledger built only through the operations passes every check', async () => {
    await someHistory();
    const report = await verifyLedger(database.pool);
    expect(report.breaches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ accounts: expect.any(Number), entries: 4, postings: 9 });
  });

  it('a stored balance that no longer equals its postings is reported as balance_mismatch', async () => {
    const { seller } = await someHistory();
    const id = await accountId(seller, 'available');
    await database.pool.query('UPDATE ledger_accounts SET balance = balance + 1 WHERE id = $1', [id]);
    const report = await verifyLedger(database.pool);
    expect(report.ok).toBe(false);
    expect(report.breaches).toEqual([
      expect.objectContaining({
        kind: 'balance_mismatch',
        details: expect.objectContaining({ account_id: id, stored: (u(59) + 1n).toString(), postings: u(59).toString() }),
      }),
    ]);
  });

  it('a posting added outside an operation unbalances its entry and the ledger, and breaks the running balance', async () => {
    const { seller } = await someHistory();
    const id = await accountId(seller, 'available');
    const { rows } = await database.pool.query(`SELECT entry_id::text FROM ledger_postings WHERE account_id = $1`, [id]);
    await database.pool.query(
      `INSERT INTO ledger_postings (entry_id, account_id, user_id, currency, amount, balance_after) VALUES ($1, $2, $3, 'USD', 5, 0)`,
      [rows[0].entry_id, id, seller],
    );
    const kinds = (await verifyLedger(database.pool)).breaches.map((b) => b.kind).sort();
    expect(kinds).toEqual(['balance_mismatch', 'entry_unbalanced', 'ledger_unbalanced', 'running_balance_mismatch']);
  });

  it('a negative user balance is reported even if the CHECK constraint were dropped', async () => {
    const { buyer } = await someHistory();
    await database.pool.query('ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_user_balance_non_negative');
    const id = await accountId(buyer, 'available');
    await database.pool.query('UPDATE ledger_accounts SET balance = -3 WHERE id = $1', [id]);
    const breaches = (await verifyLedger(database.pool)).breaches;
    expect(breaches.map((b) => b.kind).sort()).toEqual(['balance_mismatch', 'user_balance_negative']);
    expect(breaches.find((b) => b.kind === 'user_balance_negative')!.details).toMatchObject({ account_id: id, balance: '-3' });
  });

  it('the database itself refuses a negative user balance, whatever the code does (CHECK constraint)', async () => {
    const { buyer } = await someHistory();
    const id = await accountId(buyer, 'available');
    await expect(database.pool.query('UPDATE ledger_accounts SET balance = -1 WHERE id = $1', [id])).rejects.toMatchObject({
      code: '23514',
      constraint: 'ledger_accounts_user_balance_non_negative',
    });
  });

  it('history cannot be rewritten: updating or deleting a posting is refused', async () => {
    await someHistory();
    await expect(database.pool.query('UPDATE ledger_postings SET amount = amount + 1')).rejects.toMatchObject({ code: '23001' });
    await expect(database.pool.query('DELETE FROM ledger_entries')).rejects.toMatchObject({ code: '23001' });
  });
});

describe('npm run ledger:verify', () => {
  it('exits 0 on a sound ledger and 1 naming the breach on a corrupted one', async () => {
    const { seller } = await someHistory();
    const ok = await verifyScript(own.url);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^ledger:verify: OK \(4 entries, 9 postings, \d+ accounts\)/);
    expect(ok.status).toBe(0);

    await database.pool.query('UPDATE ledger_accounts SET balance = balance + 1 WHERE id = $1', [await accountId(seller, 'available')]);
    const bad = await verifyScript(own.url);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('[balance_mismatch]');
    expect(bad.stderr).toContain('stores 59.0000001 but its postings sum to 59');
  }, 120_000);

  it('exits 2 when it cannot reach the database', async () => {
    const r = await verifyScript('postgres://nobody:x@127.0.0.1:1/none');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('could not check the ledger');
  });
});
