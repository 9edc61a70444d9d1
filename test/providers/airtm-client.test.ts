import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '../../src/errors';
import { fromAirtmAmount, toAirtmAmount } from '../../src/providers/airtm/amounts';
import { AirtmClient, AirtmRefusal, AirtmUnavailable, airtmFromConfig } from '../../src/providers/airtm/client';
import { API_KEY, API_SECRET, startAirtm, submitCheckout, type AirtmTest } from '../sandbox/airtm/helpers';

/** The adapter (src/providers/airtm) against the sandbox Airtm, which follows the OpenAPI document v1.87.0. */
let t: AirtmTest;
let client: AirtmClient;
beforeEach(async () => {
  t = await startAirtm();
  client = new AirtmClient({ baseUrl: t.airtm.apiUrl, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 2000 });
});
afterEach(() => t.stop());

const USD = 10_000_000n; // stroops in one dollar

const payinInput = (code: string) => ({
  code,
  amount: 1250n * (USD / 100n), // 12.50
  description: 'Top-up',
  items: [
    { description: 'Credit', amount: 10n * USD, quantity: 1 },
    { description: 'Small', amount: 125n * (USD / 100n), quantity: 2 },
  ],
  confirmationUri: 'https://market.example/done',
  cancelUri: 'https://market.example/canceled',
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('amounts: bigint stroops ⇄ Airtm JSON numbers (two decimals)', () => {
  test.each([
    [10n * USD, 10],
    [125_000_000n, 12.5],
    [100_000n, 0.01],
    [123_456_789_012_300_000n, 12_345_678_901.23],
  ])('%p stroops are sent as %p', (stroops, wire) => {
    expect(toAirtmAmount(stroops)).toBe(wire);
  });

  test.each([
    [100_000_001n, 'not_whole_cents'], // "10.0000001": rounding would move another amount than the ledger's
    [100_050_000n, 'not_whole_cents'], // 10.005
    [99_999n, 'below_minimum'], // 0.0099999
    [0n, 'below_minimum'],
    [9_007_199_254_740_993n * 100_000n, 'not_exact'], // 90 071 992 547 409.93: beyond a double's exact range
  ])('%p stroops are refused VALIDATION_ERROR %s', (stroops, reason) => {
    const err = caught(() => toAirtmAmount(stroops));
    expect(isAppError(err) && err.code).toBe('VALIDATION_ERROR');
    expect(isAppError(err) && err.details.reason).toBe(reason);
  });

  test.each([
    [9.5, 95_000_000n],
    [0.01, 100_000n],
    [1e-7, 1n],
    [0.1 + 0.2, null], // 0.30000000000000004: not an exact amount of at most 7 decimals
    ['12.50', 125_000_000n],
    [Number.NaN, null],
    [null, null],
  ])('Airtm %p is read as %p', (wire, stroops) => {
    expect(fromAirtmAmount(wire)).toBe(stroops);
  });
});

describe('pay-ins', () => {
  test('createPayin sends exact cents and reads the PayinResponse back in stroops', async () => {
    const p = await client.createPayin(payinInput('topup_a'));
    expect(p).toMatchObject({ code: 'topup_a', status: 'CREATED', amount: 125_000_000n, netAmount: 125_000_000n, airtmFee: 0n });
    expect(p.items.map((i) => [i.description, i.amount, i.quantity, i.payinId])).toEqual([
      ['Credit', 100_000_000n, 1, p.id],
      ['Small', 12_500_000n, 2, p.id],
    ]);
    expect(client.checkoutUrl(p.id)).toBe(t.airtm.checkoutUrl(p.id));
  });

  test('items that do not add up, or an amount not in whole cents, are refused before any call', async () => {
    const bad = { ...payinInput('topup_b'), amount: 125_000_001n };
    await expect(client.createPayin(bad)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { reason: 'items_do_not_add_up' } });
    const fractional = { ...payinInput('topup_c'), amount: 100_000_001n, items: [{ description: 'x', amount: 100_000_001n, quantity: 1 }] };
    await expect(client.createPayin(fractional)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { reason: 'not_whole_cents' },
    });
    await expect(client.getPayinByCode('topup_b')).rejects.toMatchObject({ status: 404, code: '415031' });
  });

  test('getPayin, getPayinByCode follow the pay-in through the hosted page to CONFIRMED with the payer', async () => {
    const p = await client.createPayin(payinInput('topup_d'));
    await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
    const byId = await client.getPayin(p.id);
    expect(byId).toMatchObject({ status: 'CONFIRMED', airtmUserEmail: 'alice@example.com' });
    expect(await client.getPayinByCode('topup_d')).toEqual(byId);
  });

  test('cancelPayin answers CANCELED; cancelling again is a known refusal 415030', async () => {
    const p = await client.createPayin(payinInput('topup_e'));
    expect((await client.cancelPayin(p.id)).status).toBe('CANCELED');
    const err = await client.cancelPayin(p.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirtmRefusal);
    expect(err).toMatchObject({ status: 422, code: '415030', knownCode: true });
  });

  test('a duplicate code is a known refusal 415029 (a caller recovers the first with getPayinByCode)', async () => {
    const first = await client.createPayin(payinInput('topup_f'));
    await expect(client.createPayin(payinInput('topup_f'))).rejects.toMatchObject({ name: 'AirtmRefusal', status: 409, code: '415029' });
    expect((await client.getPayinByCode('topup_f')).id).toBe(first.id);
  });
});

describe('payouts and users', () => {
  test('createPayout (uncommitted) then commitPayout then getPayout: CREATED → COMPLETED', async () => {
    const p = await client.createPayout({ airtmUserEmail: 'alice@example.com', amount: 20n * USD, notes: 'Withdrawal', code: 'wd_a' });
    expect(p).toMatchObject({ status: 'CREATED', grossAmount: 200_000_000n, amount: 200_000_000n, netAmount: 200_000_000n, code: 'wd_a' });
    await expect(client.commitPayout(p.id)).resolves.toBeUndefined();
    expect((await client.getPayout(p.id)).status).toBe('COMPLETED');
    expect((await client.getPayoutByCode('wd_a')).id).toBe(p.id);
  });

  test('a payout to someone without an account is PENDING, not a failure; cancelPayout returns it CANCELED', async () => {
    const p = await client.createPayout({ airtmUserEmail: 'new@example.com', amount: 5n * USD, notes: 'n', commit: true });
    expect(p.status).toBe('PENDING');
    expect((await client.cancelPayout(p.id)).status).toBe('CANCELED');
  });

  test('a failed payout is read with its reasonCode as a string', async () => {
    t.airtm.holdPayouts(true);
    const p = await client.createPayout({ airtmUserEmail: 'alice@example.com', amount: 1n * USD, notes: 'n', commit: true });
    expect(p.status).toBe('COMMITTED');
    t.airtm.failPayout(p.id, '415073');
    expect(await client.getPayout(p.id)).toMatchObject({ status: 'FAILED', reasonCode: '415073' });
  });

  test('getBalance reads the enterprise balance in stroops: 1000.00 less a 20.00 payout pending for a new user', async () => {
    await client.createPayout({ airtmUserEmail: 'later@example.com', amount: 20n * USD, notes: 'n', commit: true });
    expect(await client.getBalance()).toEqual({ available: 9_800_000_000n, pending: 200_000_000n });
  });

  test('getUser answers the user; an unknown email is a known refusal 415059', async () => {
    expect(await client.getUser('alice@example.com')).toMatchObject({ status: 'active', isVerified: true, primaryEmail: true });
    await expect(client.getUser('ghost@example.com')).rejects.toMatchObject({ status: 404, code: '415059', knownCode: true });
  });
});

describe('errors, limits and timeouts', () => {
  test('wrong credentials are a known refusal 415904 (401)', async () => {
    const wrong = new AirtmClient({ baseUrl: t.airtm.apiUrl, apiKey: API_KEY, apiSecret: 'nope' });
    const err = await wrong.getUser('alice@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirtmRefusal);
    expect(err).toMatchObject({ status: 401, code: '415904', knownCode: true });
  });

  test('a 500 without a reason code is AirtmUnavailable (transient)', async () => {
    t.airtm.failNext({ kind: 500 });
    await expect(client.getUser('alice@example.com')).rejects.toBeInstanceOf(AirtmUnavailable);
  });

  test('a 429 is waited out (Retry-After) and the call made again once: the second attempt answers', async () => {
    t.airtm.failNext({ kind: 429, retryAfterSeconds: 1 });
    expect((await client.getUser('alice@example.com')).status).toBe('active');
  });

  test('two 429 in a row: the second is AirtmUnavailable carrying the wait asked for', async () => {
    t.airtm.failNext({ kind: 429, retryAfterSeconds: 1 }, 2);
    const err = await client.getUser('alice@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirtmUnavailable);
    expect((err as AirtmUnavailable).retryAfterMs).toBe(1000);
  });

  test('a Retry-After longer than the client waits is not waited: AirtmUnavailable at once', async () => {
    t.airtm.failNext({ kind: 429, retryAfterSeconds: 60 });
    const err = await client.getUser('alice@example.com').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AirtmUnavailable', retryAfterMs: 60_000 });
  });

  test('no answer within timeoutMs is AirtmUnavailable', async () => {
    const quick = new AirtmClient({ baseUrl: t.airtm.apiUrl, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 1000 });
    t.airtm.failNext({ kind: 'timeout' });
    await expect(quick.getUser('alice@example.com')).rejects.toMatchObject({ name: 'AirtmUnavailable' });
  });

  test('an unknown reason code, Airtm "unexpected error" 415998 and unreadable answers are refusals for an operator', async () => {
    const answers: Array<[number, unknown]> = [
      [422, { code: '499999', message: 'New thing' }],
      [500, { code: '415998', message: 'Unexpected error' }],
      [200, { id: 'u', status: 'suspended', primaryEmail: true, isVerified: true }],
      [418, 'teapot'],
    ];
    const fake = http.createServer((_req, res) => {
      const [status, body] = answers.shift()!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const c = new AirtmClient({ baseUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v2`, apiKey: 'k', apiSecret: 's' });
    try {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await c.getUser('a@b.c').catch((e: unknown) => e));
      expect(
        results.map((e) => [(e as Error).name, (e as AirtmRefusal).status, (e as AirtmRefusal).code, (e as AirtmRefusal).knownCode]),
      ).toEqual([
        ['AirtmRefusal', 422, '499999', false],
        ['AirtmRefusal', 500, '415998', false],
        ['AirtmRefusal', 200, null, false],
        ['AirtmRefusal', 418, null, false],
      ]);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  test('airtmFromConfig builds a client only with a URL, a key and a secret', () => {
    const base = {
      AIRTM_API_URL: 'https://api.stg.enterprise.airtm.com/v2',
      AIRTM_API_KEY: 'k',
      AIRTM_API_SECRET: 's',
      AIRTM_TIMEOUT_MS: 30_000,
    };
    expect(airtmFromConfig(base)).toBeInstanceOf(AirtmClient);
    expect(airtmFromConfig({ ...base, AIRTM_API_SECRET: undefined })).toBeNull();
    expect(airtmFromConfig(base)!.checkoutUrl('abc')).toBe('https://api.stg.enterprise.airtm.com/payin/abc');
  });
});
