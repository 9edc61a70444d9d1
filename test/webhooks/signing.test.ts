import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signDelivery } from '../../src/webhooks/signing';

const body = JSON.stringify({ id: 'evt_0000000000000042', type: 'order.created', data: { amount: '10.00' } });

test('a secret is whsec_ + base64 of 32 random bytes', () => {
  const secret = newWebhookSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  expect(newWebhookSecret()).not.toBe(secret);
});

test('the reference library verifies a delivery and returns its body', () => {
  const secret = newWebhookSecret();
  const headers = signDelivery([secret], 'evt_0000000000000042', new Date(), body);
  expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
});

test('the signature is v1,base64(HMAC-SHA256(key, "id.timestamp.body")) as the specification defines it', () => {
  const secret = newWebhookSecret();
  const at = new Date('2026-12-01T10:00:00.750Z');
  const headers = signDelivery([secret], 'evt_0000000000000042', at, body);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`evt_0000000000000042.1796119200.${body}`).digest('base64');
  expect(headers).toEqual({
    'webhook-id': 'evt_0000000000000042',
    'webhook-timestamp': '1796119200',
    'webhook-signature': `v1,${expected}`,
  });
});

test('with two secrets both signatures are sent, space-separated, and either secret verifies; a third does not', () => {
  const [current, previous, other] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
  const headers = signDelivery([current, previous], 'evt_0000000000000042', new Date(), body);
  expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
  expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
  expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
  expect(() => new Webhook(other).verify(body, { ...headers })).toThrow('No matching signature found');
});

test('a changed body does not verify', () => {
  const secret = newWebhookSecret();
  const headers = signDelivery([secret], 'evt_0000000000000042', new Date(), body);
  expect(() => new Webhook(secret).verify(body.replace('10.00', '99.00'), { ...headers })).toThrow('No matching signature found');
});
