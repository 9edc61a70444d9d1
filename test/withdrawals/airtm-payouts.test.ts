import { credit } from '../../src/ledger';
import { newId } from '../../src/ids';
import { parseAmount } from '../../src/money';
import { AirtmClient } from '../../src/providers/airtm/client';
import { createUser } from '../../src/users/users-repository';
import { cancelAirtmPayout, commitAirtmPayout, createAirtmPayout, type AirtmPayoutDeps } from '../../src/withdrawals/airtm-payouts';
import { createWithdrawal, findWithdrawal } from '../../src/withdrawals/withdrawals-repository';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { API_KEY, API_SECRET, startAirtm, type AirtmTest } from '../sandbox/airtm/helpers';

/**
 * The payout steps (src/withdrawals/airtm-payouts.ts) against the sandbox Airtm, where a retry must never pay twice:
 * a step whose answer was lost is run again and finds what Airtm already did.
 */
const db = testDatabase(2);
let t: AirtmTest;
let deps: AirtmPayoutDeps;
beforeAll(async () => {
  t = await startAirtm();
  deps = {
    db: db.db,
    pool: db.pool,
    airtm: new AirtmClient({ baseUrl: t.airtm.apiUrl, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 2000 }),
  };
});
afterAll(async () => {
  await t.stop();
  await db.close();
});

/** An Airtm withdrawal of `amount` held for a new user with 100 USD, not yet created at Airtm. */
async function held(amount: string, email = 'alice@example.com'): Promise<string> {
  const user = await createUser(db.db, { externalUserId: unique('po-steps'), type: 'BOTH' });
  await credit(db.pool, { kind: 'top_up', key: `po-steps:${user.id}`, userId: user.id, currency: 'USD', amount: parseAmount('100') });
  const id = newId('wd');
  await createWithdrawal(db.pool, db.db, {
    id,
    userId: user.id,
    amount: parseAmount(amount),
    currency: 'USD',
    address: email,
    memo: null,
    destinationType: 'airtm',
    status: 'WITHDRAWAL_AWAITING_COMMIT',
  });
  return id;
}

test('a creation whose outcome was not recorded (a crash after Airtm answered) finds its payout by code: one payout, reserved once', async () => {
  const id = await held('11');
  const before = t.airtm.enterpriseBalance().available;
  const first = await createAirtmPayout(deps, id, false);
  expect(first.providerPayoutId).toMatch(/^[0-9a-f-]{36}$/);
  // As if the worker died before the row was written: the retry creates again, Airtm says 415056, the code finds it.
  await db.pool.query(`UPDATE withdrawals SET provider_payout_id = NULL, provider_status = NULL WHERE id = $1`, [id]);
  const again = await createAirtmPayout(deps, id, false);
  expect(again).toMatchObject({
    providerPayoutId: first.providerPayoutId,
    providerStatus: 'CREATED',
    status: 'WITHDRAWAL_AWAITING_COMMIT',
  });
  expect(parseAmount(before) - parseAmount(t.airtm.enterpriseBalance().available)).toBe(parseAmount('11'));
});

test('a commit Airtm already has (415027) is not an error: the payout is followed as Airtm has it', async () => {
  const id = await held('2');
  const created = await createAirtmPayout(deps, id, false);
  await deps.airtm.commitPayout(created.providerPayoutId!); // committed, but our row never heard of it
  const committed = await commitAirtmPayout(deps, id);
  expect(committed).toMatchObject({ status: 'WITHDRAWAL_COMPLETED', providerStatus: 'COMPLETED' });
});

test('a cancel Airtm refuses because the payout is being delivered records where it is and is 409 INVALID_STATE', async () => {
  const id = await held('3', `${unique('later')}@example.com`);
  const created = await createAirtmPayout(deps, id, true);
  expect(created).toMatchObject({ status: 'WITHDRAWAL_AWAITING_RECIPIENT', providerStatus: 'PENDING' });
  // The recipient signs up and Airtm delivers it; our row has not heard yet (no check ran since).
  t.airtm.putUser(created.destinationAddress, {});
  const err = await cancelAirtmPayout(deps, id).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'INVALID_STATE', details: { current_status: 'WITHDRAWAL_COMPLETED' } });
  expect((await findWithdrawal(db.db, id))!.status).toBe('WITHDRAWAL_COMPLETED');
});
