import crypto from 'node:crypto';
import type { Fixtures } from './requests';

export type Call = (method: string, path: string, token: string | null, body?: unknown) => Promise<{ status: number; body: any }>;

async function created(call: Call, path: string, token: string, body: unknown): Promise<any> {
  const res = await call('POST', `/api/v1${path}`, token, body);
  if (res.status !== 201) throw new Error(`fixture POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/**
 * What the requests name, made through the API itself: a key for each scope and one with all of them, a revoked key,
 * a token with a real key's prefix and a wrong secret, two users, an order between them and a webhook endpoint.
 */
export async function createFixtures(call: Call, masterKey: string): Promise<Fixtures> {
  const tag = crypto.randomBytes(4).toString('hex');
  const key = (name: string, scopes: string[]) => created(call, '/auth/api-keys', masterKey, { name: `fuzz ${name} ${tag}`, scopes });
  const [read, write, support, all, revoked] = await Promise.all([
    key('read', ['read']),
    key('write', ['write']),
    key('support', ['support']),
    key('all', ['read', 'write', 'support']),
    key('revoked', ['read', 'write', 'support']),
  ]);
  const revoke = await call('DELETE', `/api/v1/auth/api-keys/${revoked.id}`, masterKey);
  if (revoke.status >= 300) throw new Error(`could not revoke the fixture key: ${revoke.status}`);
  const secret: string = all.key;
  const garbage = secret.slice(0, -6) + (secret.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
  const buyer = await created(call, '/users', all.key, { external_user_id: `fuzz-buyer-${tag}`, type: 'BUYER' });
  const seller = await created(call, '/users', all.key, { external_user_id: `fuzz-seller-${tag}`, type: 'SELLER' });
  const order = await created(call, '/orders', all.key, {
    buyer_id: buyer.id,
    seller_id: seller.id,
    amount: '10',
    currency: 'USD',
    title: 'fuzz',
  });
  const webhook = await created(call, '/webhooks', all.key, { url: 'http://127.0.0.1:9/fuzz', events: ['order.*'] });
  const tokens: Fixtures['tokens'] = {
    read: read.key,
    write: write.key,
    support: support.key,
    all: all.key,
    revoked: revoked.key,
    garbage,
    master: masterKey,
  };
  return {
    tokens,
    ids: {
      users: [buyer.id, seller.id],
      orders: [order.id],
      webhooks: [webhook.id],
      'api-keys': [read.id, write.id, support.id, all.id, revoked.id],
    },
  };
}
