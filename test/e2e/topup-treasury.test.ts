import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config';
import { airtmFromConfig } from '../../src/providers/airtm/client';
import { reconcileTreasury } from '../../src/reconciliation/treasury';
import { createStellarNetwork } from '../../src/stellar/network';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { eventually } from '../helpers/stellar-stack';

/**
 * The treasury that puts top-ups on chain, with a float of 5 USDC: a top-up of 10 is credited in the ledger but waits
 * for its USDC; reconciliation reports the float low, then short of what is owed; a refill lets the delivery through.
 */
let s: AirtmStack;
let key: string;
const db = testDatabase(2);
beforeAll(async () => {
  s = await startAirtmStack({}, '5');
  key = await s.api.keyWith('read', 'write');
}, 90_000);
afterAll(async () => {
  await s?.stop();
  await db.close();
});

const report = (lowFloat: string) => {
  const config = loadConfig({ ...process.env, ...s.overrides });
  return reconcileTreasury({
    pool: db.pool,
    db: db.db,
    network: createStellarNetwork(config),
    treasury: s.treasury,
    airtm: airtmFromConfig(config),
    lowFloat,
  });
};

test('a float below the threshold is reported low before any top-up needs it', async () => {
  const r = await report('1000');
  expect(r.treasury).toMatchObject({ address: s.treasury, float: '5', low_float_threshold: '1000' });
  expect(['low', 'short']).toContain(r.treasury.status); // `short` if another suite's top-up waits on the shared database
  expect(r.problems.some((p) => p.startsWith('treasury_low') || p.startsWith('treasury_short'))).toBe(true);
  expect(r.airtm).toEqual({ available: expect.any(String), pending: '0' });
  expect(Array.isArray(r.unmatched_webhooks)).toBe(true);
});

test('a signed webhook about no top-up of ours is listed for an operator', async () => {
  const body = JSON.stringify({ type: 'payin.confirmed', data: { id: 'a-stranger', code: 'not-ours', status: 'CONFIRMED' } });
  const id = `msg_${unique('stranger')}`;
  const at = new Date();
  const headers = {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new Webhook(s.webhookSecret).sign(id, at, body),
    'content-type': 'application/json',
  };
  expect((await s.api.call('POST', '/api/v1/webhooks/airtm', { key: null, rawBody: body, headers })).body.data.matched).toBe(false);
  const r = await report('0');
  expect(r.unmatched_webhooks).toContainEqual(
    expect.objectContaining({ svix_id: id, type: 'payin.confirmed', airtm_id: 'a-stranger', code: 'not-ours' }),
  );
});

test('a top-up larger than the float is credited, waits for its USDC (reported short), and is delivered after a refill', async () => {
  const user = await s.airtmUser(key);
  const t = (
    await s.api.call('POST', '/api/v1/topups', {
      key,
      body: { user_id: user.id, amount: '10', currency: 'USD' },
      headers: { 'idempotency-key': unique('tr') },
    })
  ).body.data;
  await s.pay(t.confirmation_url, user.email);
  await s.topupReaching(key, t.id, 'TOPUP_SUCCEEDED');
  expect((await s.balance(key, user.id)).available).toBe('10');
  const short = await report('0');
  expect(short.treasury.status).toBe('short');
  expect(Number(short.treasury.owed_on_chain)).toBeGreaterThanOrEqual(10);
  expect(short.problems[0]).toMatch(/^treasury_short/);
  // Support sees the same through the API (its read is audited), with the API's TREASURY_PUBLIC_KEY.
  const support = await s.api.keyWith('read', 'support');
  const viaApi = await s.api.call('GET', '/api/v1/reconciliation/topups', { key: support });
  expect(viaApi.status).toBe(200);
  expect(viaApi.body.data.treasury).toMatchObject({ address: s.treasury, status: 'short', float: '5' });
  expect((await s.api.call('GET', '/api/v1/reconciliation/topups', { key })).status).toBe(403);
  const audit = await s.api.call('GET', '/api/v1/audit/logs?action=reconciliation.topups&limit=1', { key: support });
  expect(audit.body.data[0]).toMatchObject({ action: 'reconciliation.topups', details: { treasury_status: 'short' } });
  expect(await s.usdcBalance(user.address)).toBe('0.0000000');

  await s.faucet(s.treasury, '1000');
  const delivered = await eventually(
    async () => {
      const v = (await s.api.call('GET', `/api/v1/topups/${t.id}`, { key })).body.data;
      return v.delivery_tx_hash && v;
    },
    90_000,
    'delivery after the refill',
  );
  expect(delivered.status).toBe('TOPUP_SUCCEEDED');
  expect(await s.usdcBalance(user.address)).toBe('10.0000000');
  expect(await s.usdcBalance(s.treasury)).toBe('995.0000000');
}, 120_000);
