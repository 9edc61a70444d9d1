import crypto from 'node:crypto';
import { AirtmWebhookRejected, AirtmWebhookVerifier } from '../../src/providers/airtm/webhooks';

/**
 * Svix signatures as Airtm's spec describes them (#/tags[name=Webhooks]/description, "Verifying Signatures"): the
 * oracle here is the Svix scheme computed with node:crypto (HMAC-SHA256 keyed with the base64 part of `whsec_…`, over
 * `${svix-id}.${svix-timestamp}.${body}`, sent as `v1,<base64>`), checked first against the spec's own example.
 */
const KEY = crypto.randomBytes(24);
const SECRET = `whsec_${KEY.toString('base64')}`;
const BODY = JSON.stringify({ type: 'payin.confirmed', data: { id: 'p1', code: 'topup_1', status: 'CONFIRMED', amount: 10 } });

const sign = (id: string, ts: number, body: string, key = KEY) =>
  `v1,${crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
const nowS = () => Math.floor(Date.now() / 1000);
const headers = (ts = nowS(), body = BODY, id = 'msg_2Lxyz') => ({
  'svix-id': id,
  'svix-timestamp': String(ts),
  'svix-signature': sign(id, ts, body),
});

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AirtmWebhookRejected) return err.reason;
    throw err;
  }
  throw new Error('not rejected');
}

test("the oracle reproduces the spec's example signature (whsec_MfKQ…, msg_p5jXN8AQM9LWM0D4loKWxJek, 1614265330)", () => {
  const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
  expect(sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', key)).toBe(
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  );
});

test('a valid signature is accepted and yields the svix-id, the type and the raw data', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  const ts = nowS();
  const event = v.verify(BODY, headers(ts));
  expect(event).toEqual({
    svixId: 'msg_2Lxyz',
    timestamp: ts,
    type: 'payin.confirmed',
    known: true,
    data: { id: 'p1', code: 'topup_1', status: 'CONFIRMED', amount: 10 },
  });
});

test('several signatures (a key rotation) are accepted when one matches; an unknown event type is kept, marked unknown', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  const body = JSON.stringify({ type: 'payin.refunded', data: { id: 'p9' } });
  const ts = nowS();
  const h = headers(ts, body);
  h['svix-signature'] = `v1,${Buffer.alloc(32).toString('base64')} ${h['svix-signature']}`;
  expect(v.verify(Buffer.from(body), h)).toMatchObject({ type: 'payin.refunded', known: false, data: { id: 'p9' } });
});

test('a timestamp 4 minutes old is accepted; 6 minutes old or 6 minutes ahead is refused stale_or_future', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  expect(v.verify(BODY, headers(nowS() - 240)).svixId).toBe('msg_2Lxyz');
  expect(rejection(() => v.verify(BODY, headers(nowS() - 360)))).toBe('stale_or_future');
  expect(rejection(() => v.verify(BODY, headers(nowS() + 360)))).toBe('stale_or_future');
});

test('forged: another key, a changed body, a changed id, a v0 signature are each refused bad_signature', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  const ts = nowS();
  const other = { ...headers(ts), 'svix-signature': sign('msg_2Lxyz', ts, BODY, crypto.randomBytes(24)) };
  expect(rejection(() => v.verify(BODY, other))).toBe('bad_signature');
  expect(rejection(() => v.verify(BODY.replace('"amount":10', '"amount":1000'), headers(ts)))).toBe('bad_signature');
  expect(rejection(() => v.verify(BODY, { ...headers(ts), 'svix-id': 'msg_other' }))).toBe('bad_signature');
  const v0 = { ...headers(ts), 'svix-signature': headers(ts)['svix-signature'].replace('v1,', 'v0,') };
  expect(rejection(() => v.verify(BODY, v0))).toBe('bad_signature');
});

test('a missing or empty svix-id, svix-timestamp or svix-signature is refused missing_headers', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  for (const name of ['svix-id', 'svix-timestamp', 'svix-signature'] as const) {
    const h: Record<string, string | undefined> = headers();
    delete h[name];
    expect(rejection(() => v.verify(BODY, h))).toBe('missing_headers');
    expect(rejection(() => v.verify(BODY, { ...headers(), [name]: '' }))).toBe('missing_headers');
  }
});

test('a signed body that is not {type, data} JSON is refused malformed_body', () => {
  const v = new AirtmWebhookVerifier(SECRET);
  for (const body of ['not json', '{"data":{}}', '{"type":"payin.created"}'])
    expect(rejection(() => v.verify(body, headers(nowS(), body)))).toBe('malformed_body');
});

test('there is no verifier without a secret (fail closed)', () => {
  expect(() => new AirtmWebhookVerifier('')).toThrow('AIRTM_WEBHOOK_SECRET is required to verify Airtm webhooks');
});
