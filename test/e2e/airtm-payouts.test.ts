import { credit, findEntry, type PostedEntry } from '../../src/ledger';
import { newId } from '../../src/ids';
import { formatAmount, parseAmount } from '../../src/money';
import { createWithdrawal } from '../../src/withdrawals/withdrawals-repository';
import { MAX_REQUESTS_PER_ACTIVITY, airtmActivitiesPerSecond } from '../../src/providers/airtm/request-budget';
import { airtmPayoutWorkflowId, airtmTaskQueue } from '../../workflows/ids';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { Client, Connection } from '@temporalio/client';
import { recordHistory } from '../helpers/histories';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';
import { API_KEY, API_SECRET, WEBHOOK_SECRET, startAirtm, type AirtmTest } from '../sandbox/airtm/helpers';

/**
 * Airtm payouts through the real API and worker against the sandbox Airtm (sandboxes/airtm, OpenAPI v1.87.0): the hold,
 * the payout uncommitted until POST /withdrawals/{id}/commit, followed to COMPLETED (hold spent to airtm_clearing),
 * FAILED or CANCELED (hold back, reasonCode kept), PENDING for a recipient who has to sign up. The webhook route is not
 * part of these tests: the workflow finds every outcome by polling (its signal is covered in
 * test/workflows/airtm-payout-workflow.test.ts).
 */
let s: StellarStack;
let t: AirtmTest;
let key: string;
let supportKey: string;
let keyId: string;
const db = testDatabase(2);
/** Every request the sandbox Airtm answered: `METHOD /v2/path → status`. */
const airtmLog: string[] = [];
beforeAll(async () => {
  t = await startAirtm({ log: (line) => airtmLog.push(line) });
  s = await startStellarStack({
    PAYMENT_PROVIDER: 'crypto,airtm',
    AIRTM_API_URL: t.airtm.apiUrl,
    AIRTM_API_KEY: API_KEY,
    AIRTM_API_SECRET: API_SECRET,
    AIRTM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    AIRTM_PAYOUT_POLL_INITIAL_MS: '100',
    AIRTM_PAYOUT_POLL_MAX_MS: '400',
  });
  key = await s.api.keyWith('read', 'write');
  supportKey = await s.api.keyWith('read', 'support');
  const listed = (await s.api.call('GET', '/api/v1/auth/api-keys?limit=100')).body.data as Array<{ id: string; prefix: string }>;
  keyId = listed.find((k) => key.startsWith(`ohk_live_${k.prefix}`))!.id;
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await t?.stop();
  await db.close();
});

/**
 * A user whose available balance is `amount` USD, backed on chain (a USDC deposit into the wallet, as a delivered top-up
 * would be): a completed payout's USDC then goes back from the wallet to the treasury (test/e2e/airtm-payout-sweep.test.ts).
 */
async function userWith(amount: string): Promise<string> {
  const user = await s.activeUser(key);
  await s.faucet(user.address, amount);
  const expected = formatAmount(parseAmount(amount));
  await eventually(async () => (await balance(user.id))?.available === expected, 20_000, 'deposit credited');
  return user.id;
}
const balance = async (userId: string) => (await s.api.call('GET', `/api/v1/users/${userId}/balance`, { key })).body.data.balances[0];
const withdraw = (body: object) => s.api.call('POST', '/api/v1/withdrawals', { key, body, headers: { 'idempotency-key': unique('wd') } });
/** POST /withdrawals of `amount` USD from `user` to an Airtm account (alice's unless said), uncommitted unless `commit`. */
const payout = (user: string, amount: string, opts: { email?: string; commit?: boolean } = {}) =>
  withdraw({
    user_id: user,
    amount,
    currency: 'USD',
    ...(opts.commit === undefined ? {} : { commit: opts.commit }),
    destination: { type: 'airtm', email: opts.email ?? 'alice@example.com' },
  });
const get = async (id: string) => (await s.api.call('GET', `/api/v1/withdrawals/${id}`, { key })).body.data;
const post = (path: string) => s.api.call('POST', `/api/v1/withdrawals${path}`, { key, headers: { 'x-request-id': unique('req') } });
const until = (id: string, status: string) =>
  eventually(async () => ((await get(id)).status === status ? get(id) : null), 20_000, `withdrawal ${status}`);
const legs = (entry: PostedEntry | null) =>
  entry!.postings.map((p) => `${'system' in p.account ? p.account.system : `user:${p.account.bucket}`}=${p.amount}`).sort();
async function trail(id: string) {
  const res = await s.api.call('GET', `/api/v1/audit/logs?resource_id=${id}&limit=100`, { key: supportKey });
  expect(res.status).toBe(200);
  return (res.body.data as Array<Record<string, string | null>>)
    .reverse()
    .map((e) => [e.action, e.actor_type, e.actor_type === 'api_key' ? e.actor_id : null, e.status_before, e.status_after]);
}

test('a payout is created uncommitted, committed and completed: the hold is spent to airtm_clearing, exactly', async () => {
  const user = await userWith('100');
  const alice = t.airtm.balanceOf('alice@example.com')!;
  const res = await payout(user, '12.34');
  expect(res.status).toBe(201);
  const id = res.body.data.id as string;
  expect(res.body.data).toMatchObject({
    user_id: user,
    amount: '12.34',
    destination: { type: 'airtm', email: 'alice@example.com' },
    status: 'WITHDRAWAL_AWAITING_COMMIT',
    airtm_payout: { status: 'CREATED' },
    failure_code: null,
  });
  const payoutId = res.body.data.airtm_payout.id as string;
  expect(payoutId).toMatch(/^[0-9a-f-]{36}$/);
  expect(await balance(user)).toEqual({ currency: 'USD', available: '87.66', held: '12.34' });
  expect(legs(await findEntry(db.pool, `withdrawal:${id}:hold`))).toEqual([
    `user:available=${-123_400_000n}`,
    `user:withdrawing=${123_400_000n}`,
  ]);
  // Nothing moves at Airtm before the commit.
  expect(t.airtm.balanceOf('alice@example.com')).toBe(alice);

  const committed = await post(`/${id}/commit`);
  expect(committed.status).toBe(200);
  expect(['WITHDRAWAL_PENDING', 'WITHDRAWAL_COMPLETED']).toContain(committed.body.data.status);
  const done = await until(id, 'WITHDRAWAL_COMPLETED');
  expect(done).toMatchObject({ airtm_payout: { id: payoutId, status: 'COMPLETED' }, failure_code: null });
  expect(done.completed_at).not.toBeNull();
  expect(await balance(user)).toEqual({ currency: 'USD', available: '87.66', held: '0' });
  expect(t.airtm.balanceOf('alice@example.com')).toBe((Number(alice) + 12.34).toFixed(2));
  expect(legs(await findEntry(db.pool, `withdrawal:${id}:finalize`))).toEqual([
    `airtm_clearing=${123_400_000n}`,
    `user:withdrawing=${-123_400_000n}`,
  ]);
  expect(await findEntry(db.pool, `withdrawal:${id}:reverse`)).toBeNull();

  // Committing again answers the payout as it is; cancelling a completed one is refused.
  const again = await post(`/${id}/commit`);
  expect(again.status).toBe(200);
  expect(again.body.data.status).toBe('WITHDRAWAL_COMPLETED');
  const cancel = await post(`/${id}/cancel`);
  expect(cancel.status).toBe(409);
  expect(cancel.body.error.code).toBe('INVALID_STATE');

  expect(await trail(id)).toEqual([
    ['withdrawal.create', 'api_key', keyId, null, 'WITHDRAWAL_AWAITING_COMMIT'],
    ['withdrawal.commit', 'api_key', keyId, 'WITHDRAWAL_AWAITING_COMMIT', 'WITHDRAWAL_PENDING'],
    ['withdrawal.complete', 'system', null, 'WITHDRAWAL_PENDING', 'WITHDRAWAL_COMPLETED'],
  ]);
  const { rows } = await db.pool.query(`SELECT type FROM events WHERE resource_id = $1 ORDER BY id`, [id]);
  expect(rows.map((r) => r.type)).toEqual(['withdrawal.awaiting_commit', 'withdrawal.pending', 'withdrawal.completed']);
  await recordHistory('airtm-payout-committed-completed', airtmPayoutWorkflowId(id));
});

test('a payout Airtm fails returns the hold, with its reasonCode shown', async () => {
  const user = await userWith('50');
  t.airtm.holdPayouts(true);
  try {
    const res = await payout(user, '20', { commit: true });
    expect(res.status).toBe(201);
    const id = res.body.data.id as string;
    expect(res.body.data).toMatchObject({ status: 'WITHDRAWAL_PENDING', airtm_payout: { status: 'COMMITTED' } });
    expect(await balance(user)).toEqual({ currency: 'USD', available: '30', held: '20' });
    t.airtm.failPayout(res.body.data.airtm_payout.id, '415073', 'The payment provider could not deliver the funds');
    const failed = await until(id, 'WITHDRAWAL_FAILED');
    expect(failed).toMatchObject({
      failure_code: '415073',
      airtm_payout: { status: 'FAILED', reason: 'The payment provider could not deliver the funds' },
    });
    expect(await balance(user)).toEqual({ currency: 'USD', available: '50', held: '0' });
    expect(legs(await findEntry(db.pool, `withdrawal:${id}:reverse`))).toEqual([
      `user:available=${200_000_000n}`,
      `user:withdrawing=${-200_000_000n}`,
    ]);
    expect(await findEntry(db.pool, `withdrawal:${id}:finalize`)).toBeNull();
    expect(await trail(id)).toEqual([
      ['withdrawal.create', 'api_key', keyId, null, 'WITHDRAWAL_PENDING'],
      ['withdrawal.fail', 'system', null, 'WITHDRAWAL_PENDING', 'WITHDRAWAL_FAILED'],
    ]);
    const commit = await post(`/${id}/commit`);
    expect(commit.status).toBe(409);
    expect(commit.body.error).toMatchObject({ code: 'INVALID_STATE', details: { current_status: 'WITHDRAWAL_FAILED' } });
    await recordHistory('airtm-payout-failed', airtmPayoutWorkflowId(id));
  } finally {
    t.airtm.holdPayouts(false);
  }
});

test('a payout Airtm refuses at creation fails at once with its reasonCode and holds nothing', async () => {
  const user = await userWith('5000');
  // The sandbox enterprise holds 1000.00: a larger payout is 415016 "Insufficient balance for payout".
  const res = await payout(user, '2000');
  expect(res.status).toBe(201);
  expect(res.body.data).toMatchObject({
    status: 'WITHDRAWAL_FAILED',
    failure_code: '415016',
    airtm_payout: { id: null, status: 'REFUSED' },
  });
  expect(await balance(user)).toEqual({ currency: 'USD', available: '5000', held: '0' });
});

test('a payout to someone without an Airtm account waits AWAITING_RECIPIENT (PENDING), then completes when they sign up', async () => {
  const user = await userWith('10');
  const email = `${unique('newcomer')}@example.com`;
  const res = await payout(user, '7.5', { email, commit: true });
  expect(res.status).toBe(201);
  const id = res.body.data.id as string;
  const waiting = await until(id, 'WITHDRAWAL_AWAITING_RECIPIENT');
  expect(waiting).toMatchObject({
    airtm_payout: { status: 'PENDING', reason: 'Waiting for the recipient to sign up' },
    failure_code: null,
  });
  expect(await balance(user)).toEqual({ currency: 'USD', available: '2.5', held: '7.5' });

  t.airtm.putUser(email, { balance: '0.00' });
  const done = await until(id, 'WITHDRAWAL_COMPLETED');
  expect(done.airtm_payout).toMatchObject({ id: res.body.data.airtm_payout.id, status: 'COMPLETED', reason: null });
  expect(t.airtm.balanceOf(email)).toBe('7.50');
  expect(await balance(user)).toEqual({ currency: 'USD', available: '2.5', held: '0' });
  expect(await trail(id)).toEqual([
    ['withdrawal.create', 'api_key', keyId, null, 'WITHDRAWAL_PENDING'],
    ['withdrawal.await_recipient', 'system', null, 'WITHDRAWAL_PENDING', 'WITHDRAWAL_AWAITING_RECIPIENT'],
    ['withdrawal.complete', 'system', null, 'WITHDRAWAL_AWAITING_RECIPIENT', 'WITHDRAWAL_COMPLETED'],
  ]);
  await recordHistory('airtm-payout-pending-completed', airtmPayoutWorkflowId(id));
});

test('an uncommitted payout cancelled returns the hold; a PENDING one can be cancelled too', async () => {
  const user = await userWith('40');
  const enterprise = t.airtm.enterpriseBalance().available;
  const res = await payout(user, '15');
  const id = res.body.data.id as string;
  expect(res.body.data.status).toBe('WITHDRAWAL_AWAITING_COMMIT');
  expect(await balance(user)).toEqual({ currency: 'USD', available: '25', held: '15' });

  const cancelled = await post(`/${id}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.data).toMatchObject({ status: 'WITHDRAWAL_CANCELED', airtm_payout: { status: 'CANCELED' } });
  expect(await balance(user)).toEqual({ currency: 'USD', available: '40', held: '0' });
  expect(t.airtm.enterpriseBalance().available).toBe(enterprise);
  expect(legs(await findEntry(db.pool, `withdrawal:${id}:reverse`))).toEqual([
    `user:available=${150_000_000n}`,
    `user:withdrawing=${-150_000_000n}`,
  ]);
  expect((await post(`/${id}/cancel`)).body.data.status).toBe('WITHDRAWAL_CANCELED');
  const commit = await post(`/${id}/commit`);
  expect(commit.status).toBe(409);
  expect(commit.body.error.code).toBe('INVALID_STATE');
  expect(await trail(id)).toEqual([
    ['withdrawal.create', 'api_key', keyId, null, 'WITHDRAWAL_AWAITING_COMMIT'],
    ['withdrawal.cancel', 'api_key', keyId, 'WITHDRAWAL_AWAITING_COMMIT', 'WITHDRAWAL_CANCELED'],
  ]);
  await until(id, 'WITHDRAWAL_CANCELED');
  await recordHistory('airtm-payout-cancelled', airtmPayoutWorkflowId(id));

  const pending = await payout(user, '4', { email: `${unique('never')}@example.com`, commit: true });
  const pendingId = pending.body.data.id as string;
  await until(pendingId, 'WITHDRAWAL_AWAITING_RECIPIENT');
  const out = await post(`/${pendingId}/cancel`);
  expect(out.status).toBe(200);
  expect(out.body.data.status).toBe('WITHDRAWAL_CANCELED');
  expect(await balance(user)).toEqual({ currency: 'USD', available: '40', held: '0' });
});

test('refusals: a Stellar withdrawal is not committed or cancelled; Airtm amounts are whole cents; unknown ids are 404', async () => {
  const user = await userWith('10');
  const cents = await payout(user, '1.005');
  expect(cents.status).toBe(400);
  expect(cents.body.error.details.fields).toContainEqual(expect.objectContaining({ field: 'body.amount', code: 'not_whole_cents' }));
  const stray = await withdraw({
    user_id: user,
    amount: '1',
    currency: 'USD',
    commit: true,
    destination: { type: 'stellar', address: (await s.outsideAccount()).publicKey() },
  });
  expect(stray.status).toBe(400);
  expect(await balance(user)).toEqual({ currency: 'USD', available: '10', held: '0' });
  const stellarId = newId('wd');
  await createWithdrawal(db.pool, db.db, {
    id: stellarId,
    userId: user,
    amount: parseAmount('1'),
    currency: 'USD',
    address: 'G'.padEnd(56, 'A'),
    memo: null,
  });
  for (const step of ['commit', 'cancel']) {
    const refused = await post(`/${stellarId}/${step}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_STATE', details: { destination_type: 'stellar' } });
  }
  const missing = await post('/wd_doesnotexist/commit');
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('WITHDRAWAL_NOT_FOUND');
});

test('Airtm’s 10 requests a second: 5 activities a second at most, each making at most 2 requests, on the Airtm task queue', async () => {
  expect(MAX_REQUESTS_PER_ACTIVITY).toBe(2);
  expect(airtmActivitiesPerSecond(10)).toBe(5);
  const user = await userWith('30');
  const requestsDuring = async (call: () => Promise<unknown>) => {
    const before = airtmLog.length;
    await call();
    return airtmLog.slice(before).map((l) => l.replace(/[0-9a-f-]{36}/, '{id}').replace(/wd_\w+/, '{code}'));
  };
  const body = { user_id: user, amount: '3', currency: 'USD', destination: { type: 'airtm', email: 'alice@example.com' } };
  let id = '';
  // Creation: one request. Commit: the commit and one read, which finds it COMPLETED (the sandbox pays an active user at once).
  expect(await requestsDuring(async () => (id = (await withdraw(body)).body.data.id))).toEqual(['POST /v2/payouts → 200']);
  expect(await requestsDuring(() => post(`/${id}/commit`))).toEqual(['POST /v2/payouts/{id}/commit → 204', 'GET /v2/payouts/{id} → 200']);
  expect((await get(id)).status).toBe('WITHDRAWAL_COMPLETED');
  // Cancel: one request. A creation refused: the refusal and the look-up of our code.
  const cancelled = (await withdraw(body)).body.data.id;
  expect(await requestsDuring(() => post(`/${cancelled}/cancel`))).toEqual(['DELETE /v2/payouts/{id} → 200']);
  expect(await requestsDuring(() => withdraw({ ...body, amount: '20000' }))).toEqual([]); // short in our ledger: Airtm never asked
  await credit(db.pool, { kind: 'top_up', key: `test-topup-more:${user}`, userId: user, currency: 'USD', amount: parseAmount('5000') });
  expect(await requestsDuring(() => withdraw({ ...body, amount: '2000' }))).toEqual([
    'POST /v2/payouts → 422',
    'GET /v2/payouts/by-code/{code} → 404',
  ]);

  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const handle = new Client({ connection }).workflow.getHandle(airtmPayoutWorkflowId(id));
    await handle.result();
    const history = await handle.fetchHistory();
    const scheduled = history.events!.flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
    );
    expect(scheduled.map((a) => [a.activityType?.name, a.taskQueue?.name])).toEqual([
      ['holdAirtmWithdrawal', s.overrides.TEMPORAL_TASK_QUEUE],
      ['createAirtmPayout', airtmTaskQueue(s.overrides.TEMPORAL_TASK_QUEUE)],
      ['commitAirtmPayout', airtmTaskQueue(s.overrides.TEMPORAL_TASK_QUEUE)],
      // Not a call to Airtm: the wallet's payment to the treasury, a chain step on the main queue.
      ['sweepAirtmPayout', s.overrides.TEMPORAL_TASK_QUEUE],
    ]);
  } finally {
    await connection.close();
  }
});
