import { call, startAirtm, type AirtmTest } from './helpers';

/**
 * The sandbox's payouts against #/paths/~1payouts…, #/components/schemas/PayoutResponse and PayoutStatus (CREATED,
 * COMMITTED, PENDING, COMPLETED, CANCELED, FAILED) and the payout reason codes of #/info/description.
 */
let t: AirtmTest;
beforeEach(async () => {
  t = await startAirtm();
});
afterEach(() => t.stop());

const payout = (overrides: Record<string, unknown> = {}) => ({
  airtmUserEmail: 'alice@example.com',
  amount: 20,
  notes: 'Withdrawal',
  ...overrides,
});

test('POST /payouts creates it CREATED, reserving the amount from the enterprise; commit (204, no body) completes it', async () => {
  const created = await call(t.airtm, 'POST', '/payouts', payout({ code: 'wd_1' }));
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({
    code: 'wd_1',
    airtmUserEmail: 'alice@example.com',
    status: 'CREATED',
    grossAmount: 20,
    amount: 20,
    netAmount: 20,
    notes: 'Withdrawal',
  });
  expect(t.airtm.enterpriseBalance().available).toBe('980.00');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('100.00');
  const commit = await fetch(`${t.airtm.apiUrl}/payouts/${created.body.id}/commit`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('airtm-test-key:airtm-test-secret').toString('base64')}` },
  });
  expect(commit.status).toBe(204);
  expect(await commit.text()).toBe('');
  expect((await call(t.airtm, 'GET', `/payouts/${created.body.id}`)).body.status).toBe('COMPLETED');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('120.00');
  expect((await call(t.airtm, 'GET', '/payouts/by-code/wd_1')).body.id).toBe(created.body.id);
});

test('while payouts are held a commit leaves it COMMITTED; releasing completes it', async () => {
  t.airtm.holdPayouts(true);
  const p = (await call(t.airtm, 'POST', '/payouts', payout({ commit: true }))).body;
  expect(p.status).toBe('COMMITTED');
  t.airtm.holdPayouts(false);
  expect((await call(t.airtm, 'GET', `/payouts/${p.id}`)).body.status).toBe('COMPLETED');
});

test('a payout to an email with no account goes PENDING (counted in pending), then COMPLETED when its owner signs up', async () => {
  const p = (await call(t.airtm, 'POST', '/payouts', payout({ airtmUserEmail: 'Carol@Example.com', amount: 7.5, commit: true }))).body;
  expect(p.status).toBe('PENDING');
  expect(p.reasonDescription).toBe('Waiting for the recipient to sign up');
  expect((await call(t.airtm, 'GET', '/me/balance')).body).toEqual({ available: 992.5, pending: 7.5 });
  t.airtm.putUser('carol@example.com', { balance: '0' });
  expect((await call(t.airtm, 'GET', `/payouts/${p.id}`)).body.status).toBe('COMPLETED');
  expect(t.airtm.balanceOf('carol@example.com')).toBe('7.50');
  expect((await call(t.airtm, 'GET', '/me/balance')).body).toEqual({ available: 992.5, pending: 0 });
});

test('requireIdVerified to an unverified user waits PENDING until the user is verified', async () => {
  const p = (await call(t.airtm, 'POST', '/payouts', payout({ airtmUserEmail: 'bob@example.com', requireIdVerified: true, commit: true })))
    .body;
  expect(p.status).toBe('PENDING');
  t.airtm.putUser('bob@example.com', { isVerified: true });
  expect((await call(t.airtm, 'GET', `/payouts/${p.id}`)).body.status).toBe('COMPLETED');
});

test('a failed payout returns the money to the enterprise and carries its reasonCode', async () => {
  t.airtm.holdPayouts(true);
  const p = (await call(t.airtm, 'POST', '/payouts', payout({ commit: true }))).body;
  t.airtm.failPayout(p.id);
  const now = (await call(t.airtm, 'GET', `/payouts/${p.id}`)).body;
  expect(now).toMatchObject({ status: 'FAILED', reasonCode: '415073' });
  expect(t.airtm.enterpriseBalance().available).toBe('1000.00');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('100.00');
});

test('DELETE cancels a CREATED or PENDING payout (money back); a COMPLETED one is 422 415055', async () => {
  const a = (await call(t.airtm, 'POST', '/payouts', payout())).body;
  expect((await call(t.airtm, 'DELETE', `/payouts/${a.id}`)).body.status).toBe('CANCELED');
  const b = (await call(t.airtm, 'POST', '/payouts', payout({ airtmUserEmail: 'dave@example.com', commit: true }))).body;
  expect((await call(t.airtm, 'DELETE', `/payouts/${b.id}`)).body.status).toBe('CANCELED');
  expect(t.airtm.enterpriseBalance()).toEqual({ available: '1000.00', pending: '0.00' });
  const c = (await call(t.airtm, 'POST', '/payouts', payout({ commit: true }))).body;
  const r = await call(t.airtm, 'DELETE', `/payouts/${c.id}`);
  expect(r.status).toBe(422);
  expect(r.body.code).toBe('415055');
});

test('refusals: duplicate code 409 415056, short enterprise balance 422 415016, commit twice 422 415027, unknown 404 415005', async () => {
  await call(t.airtm, 'POST', '/payouts', payout({ code: 'same' }));
  expect((await call(t.airtm, 'POST', '/payouts', payout({ code: 'same' }))).body.code).toBe('415056');
  const big = await call(t.airtm, 'POST', '/payouts', payout({ amount: 5000 }));
  expect(big.status).toBe(422);
  expect(big.body.code).toBe('415016');
  const p = (await call(t.airtm, 'POST', '/payouts', payout({ commit: true }))).body;
  const twice = await call(t.airtm, 'POST', `/payouts/${p.id}/commit`);
  expect(twice.status).toBe(422);
  expect(twice.body.code).toBe('415027');
  expect((await call(t.airtm, 'GET', '/payouts/00000000-0000-4000-8000-000000000000')).body.code).toBe('415005');
});

test('bad bodies: no notes, 3 decimals, an extra field are 400 415901; an amount of 0 is 422 415058', async () => {
  expect((await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'alice@example.com', amount: 1 })).body.code).toBe('415901');
  expect((await call(t.airtm, 'POST', '/payouts', payout({ amount: 1.001 }))).body.code).toBe('415901');
  expect((await call(t.airtm, 'POST', '/payouts', payout({ currency: 'USD' }))).body.code).toBe('415901');
  const zero = await call(t.airtm, 'POST', '/payouts', payout({ amount: 0 }));
  expect(zero.status).toBe(422);
  expect(zero.body.code).toBe('415058');
  expect(t.airtm.enterpriseBalance().available).toBe('1000.00');
});
