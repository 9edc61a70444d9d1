import { BASIC, call, payinBody, startAirtm, submitCheckout, type AirtmTest } from './helpers';

/** The sandbox's commands over HTTP (/_sandbox/…), for processes that only have its URL. */
let t: AirtmTest;
beforeEach(async () => {
  t = await startAirtm();
});
afterEach(() => t.stop());

async function admin(method: string, path: string, body?: unknown, auth = BASIC) {
  const res = await fetch(`${t.airtm.url}/_sandbox${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test('PUT /_sandbox/users/{email} adds a user with a balance; GET /_sandbox/balances lists every balance', async () => {
  expect(await admin('PUT', `/users/${encodeURIComponent('Zoe@Example.com')}`, { balance: '42.10', isVerified: true })).toEqual({
    status: 200,
    body: { email: 'zoe@example.com', balance: '42.10' },
  });
  expect((await call(t.airtm, 'GET', '/users/zoe%40example.com')).body).toMatchObject({ status: 'active', isVerified: true });
  expect((await admin('GET', '/balances')).body).toEqual({
    enterprise: { available: '1000.00', pending: '0.00' },
    users: { 'alice@example.com': '100.00', 'bob@example.com': '5.00', 'zoe@example.com': '42.10' },
  });
});

test('commands need the API credentials: without them 401 415904 and nothing changes', async () => {
  const r = await admin('PUT', '/users/eve%40example.com', { balance: '1000000' }, 'Basic bm9wZTpub3Bl');
  expect(r).toEqual({ status: 401, body: { code: '415904', message: 'Unauthorized request' } });
  expect(t.airtm.balanceOf('eve@example.com')).toBeNull();
});

test('faults, processing pay-ins and failing payouts by HTTP', async () => {
  expect((await admin('POST', '/faults', { kind: 500, count: 1 })).status).toBe(204);
  expect((await call(t.airtm, 'GET', '/me/balance')).status).toBe(500);
  expect((await admin('POST', '/confirm-outcome', { outcome: 'PROCESSING' })).status).toBe(204);
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('adm'))).body;
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  expect((await admin('POST', `/payins/${p.id}/settle`, { outcome: 'FAILED', failureReason: 'declined' })).status).toBe(204);
  expect((await call(t.airtm, 'GET', `/payins/${p.id}`)).body).toMatchObject({ status: 'FAILED', failureReason: 'declined' });
  expect((await admin('POST', '/payouts/hold', { held: true })).status).toBe(204);
  const w = (await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'alice@example.com', amount: 2, notes: 'n', commit: true })).body;
  expect((await admin('POST', `/payouts/${w.id}/fail`, { reasonCode: '415062' })).status).toBe(204);
  expect((await call(t.airtm, 'GET', `/payouts/${w.id}`)).body).toMatchObject({ status: 'FAILED', reasonCode: '415062' });
  const again = await admin('POST', `/payouts/${w.id}/fail`, {});
  expect(again).toMatchObject({ status: 422, body: { code: '415027' } });
  expect((await admin('POST', '/faults', { kind: 418 })).body.code).toBe('415901');
});

test('webhook commands: hold, release in reverse, and the deliveries list', async () => {
  await admin('POST', '/webhooks/hold');
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('adm-wh'))).body;
  await call(t.airtm, 'DELETE', `/payins/${p.id}`);
  expect((await admin('POST', '/webhooks/release', { reverse: true })).body).toEqual({ released: 2 });
  await t.airtm.webhooks.idle();
  expect(t.receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['payin.canceled', 'payin.created']);
  const list = (await admin('GET', '/webhooks')).body;
  expect(list.map((d: { type: string; attempts: number[]; delivered: boolean }) => [d.type, d.attempts, d.delivered])).toEqual([
    ['payin.created', [200], true],
    ['payin.canceled', [200], true],
  ]);
  expect(list[0]).not.toHaveProperty('body');
});
