import { call, payinBody, startAirtm, submitCheckout, type AirtmTest } from './helpers';

/**
 * The sandbox's pay-ins against Airtm's OpenAPI document v1.87.0 (OFFER-HUB/OFFER-HUB docs/airtm/documentation.json):
 * #/paths/~1payins, #/components/schemas/PayinResponse, PayinStatus, the "Reason Codes" of #/info/description.
 */
let t: AirtmTest;
beforeEach(async () => {
  t = await startAirtm();
});
afterEach(() => t.stop());

/** #/components/schemas/PayinResponse/required. */
const PAYIN_REQUIRED = [
  'id',
  'code',
  'status',
  'amount',
  'netAmount',
  'airtmFee',
  'description',
  'items',
  'createdAt',
  'updatedAt',
  'confirmationUri',
  'cancelUri',
];

test('POST /payins answers a PayinResponse in CREATED with the amounts as JSON numbers and the items with their ids', async () => {
  const r = await call(t.airtm, 'POST', '/payins', payinBody('topup_1'));
  expect(r.status).toBe(200);
  for (const field of PAYIN_REQUIRED) expect(r.body).toHaveProperty(field);
  expect(r.body).toMatchObject({
    code: 'topup_1',
    status: 'CREATED',
    amount: 12.5,
    netAmount: 12.5,
    airtmFee: 0,
    description: 'Top-up of 12.50 USD',
  });
  expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(r.body.items).toHaveLength(2);
  expect(r.body.items[1]).toMatchObject({ description: 'Small credit', amount: 1.25, quantity: 2, payinId: r.body.id });
  expect(r.body).not.toHaveProperty('airtmUserId'); // nobody has confirmed it yet
});

test('the fee the sandbox is configured with shows as airtmFee and netAmount = amount − airtmFee', async () => {
  await t.stop();
  t = await startAirtm({ payinFeeBps: 400 });
  const r = await call(t.airtm, 'POST', '/payins', payinBody('topup_fee'));
  expect(r.body).toMatchObject({ amount: 12.5, airtmFee: 0.5, netAmount: 12 });
});

test('GET /payins/{id} and GET /payins/by-code/{code} answer the same pay-in; an unknown one is 404 415031', async () => {
  const created = (await call(t.airtm, 'POST', '/payins', payinBody('topup/with space'))).body;
  expect((await call(t.airtm, 'GET', `/payins/${created.id}`)).body).toEqual(created);
  expect((await call(t.airtm, 'GET', `/payins/by-code/${encodeURIComponent('topup/with space')}`)).body).toEqual(created);
  const missing = await call(t.airtm, 'GET', '/payins/00000000-0000-4000-8000-000000000000');
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ code: '415031' });
  expect((await call(t.airtm, 'GET', '/payins/by-code/nope')).body.code).toBe('415031');
});

test('a second pay-in with the same code is refused 409 415029 and the first is unchanged', async () => {
  const first = (await call(t.airtm, 'POST', '/payins', payinBody('dup'))).body;
  const again = await call(
    t.airtm,
    'POST',
    '/payins',
    payinBody('dup', { amount: 10, items: [{ description: 'x', amount: 10, quantity: 1 }] }),
  );
  expect(again.status).toBe(409);
  expect(again.body).toEqual({ code: '415029', message: 'Payin code already exists', data: { code: 'dup' } });
  expect((await call(t.airtm, 'GET', `/payins/${first.id}`)).body.amount).toBe(12.5);
});

test.each([
  ['items that do not add up to the amount', { amount: 12.51 }],
  ['an amount with three decimals', { amount: 12.505, items: [{ description: 'x', amount: 12.505, quantity: 1 }] }],
  ['an amount below 0.01', { amount: 0, items: [{ description: 'x', amount: 0, quantity: 1 }] }],
  ['an amount as a string', { amount: '12.50' }],
  ['a field the schema does not have (additionalProperties: false)', { currency: 'USD' }],
  ['no cancelUri', { cancelUri: undefined }],
  ['a relative confirmationUri', { confirmationUri: '/done' }],
  ['a fractional quantity', { amount: 15, items: [{ description: 'x', amount: 10, quantity: 1.5 }] }],
])('POST /payins with %s is refused 400 415901 and creates nothing', async (_name, overrides) => {
  const body = JSON.parse(JSON.stringify(payinBody('bad', overrides)));
  const r = await call(t.airtm, 'POST', '/payins', body);
  expect(r.status).toBe(400);
  expect(r.body.code).toBe('415901');
  expect((await call(t.airtm, 'GET', '/payins/by-code/bad')).status).toBe(404);
});

test('DELETE /payins/{id} cancels a CREATED pay-in; a second DELETE is 422 415030', async () => {
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('to-cancel'))).body;
  const r = await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ id: p.id, status: 'CANCELED' });
  const again = await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  expect(again.status).toBe(422);
  expect(again.body.code).toBe('415030');
});

test('a confirmed pay-in cannot be cancelled (422 415030) and keeps its CONFIRMED status and the payer', async () => {
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('confirmed'))).body;
  expect((await submitCheckout(t.airtm, p.id, { action: 'confirm', email: 'alice@example.com' })).status).toBe(303);
  const r = await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  expect(r.body.code).toBe('415030');
  const now = (await call(t.airtm, 'GET', `/payins/${p.id}`)).body;
  expect(now).toMatchObject({ status: 'CONFIRMED', airtmUserEmail: 'alice@example.com' });
  expect(now.airtmUserId).toMatch(/^[0-9a-f-]{36}$/);
});

test('PROCESSING: a confirmation held in processing settles CONFIRMED (enterprise credited) or FAILED (payer refunded, reason kept)', async () => {
  t.airtm.setConfirmOutcome('PROCESSING');
  const ok = (await call(t.airtm, 'POST', '/payins', payinBody('proc-ok'))).body;
  const ko = (await call(t.airtm, 'POST', '/payins', payinBody('proc-ko'))).body;
  await submitCheckout(t.airtm, ok.id, { action: 'confirm', email: 'alice@example.com' });
  await submitCheckout(t.airtm, ko.id, { action: 'confirm', email: 'alice@example.com' });
  expect((await call(t.airtm, 'GET', `/payins/${ok.id}`)).body.status).toBe('PROCESSING');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('75.00'); // 100 − 2 × 12.50
  t.airtm.settlePayin(ok.id, 'CONFIRMED');
  t.airtm.settlePayin(ko.id, 'FAILED', 'The bank refused the transfer');
  expect((await call(t.airtm, 'GET', `/payins/${ok.id}`)).body.status).toBe('CONFIRMED');
  expect((await call(t.airtm, 'GET', `/payins/${ko.id}`)).body).toMatchObject({
    status: 'FAILED',
    failureReason: 'The bank refused the transfer',
  });
  expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
  expect(t.airtm.enterpriseBalance()).toEqual({ available: '1012.50', pending: '0.00' });
});

test('HTTP Basic: a wrong secret, a missing header and a Bearer token are each 401 415904', async () => {
  const wrong = `Basic ${Buffer.from('airtm-test-key:wrong').toString('base64')}`;
  for (const auth of [wrong, '', 'Bearer airtm-test-key']) {
    const r = await call(t.airtm, 'GET', '/me/balance', undefined, auth);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: '415904', message: 'Unauthorized request' });
  }
});

test('GET /me/balance answers #/components/schemas/Balance as numbers', async () => {
  const r = await call(t.airtm, 'GET', '/me/balance');
  expect(r.body).toEqual({ available: 1000, pending: 0 });
});

test('GET /users/{email} answers a signed-up user (URL-encoded email) and 404 415059 for an unknown one', async () => {
  const r = await call(t.airtm, 'GET', `/users/${encodeURIComponent('alice@example.com')}`);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'active', primaryEmail: true, isVerified: true });
  const missing = await call(t.airtm, 'GET', `/users/${encodeURIComponent('nobody@example.com')}`);
  expect(missing.status).toBe(404);
  expect(missing.body.code).toBe('415059');
});
