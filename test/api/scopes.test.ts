import { routes } from '../../api/routes';
import { newId } from '../../src/ids';
import { startTestApi, type TestApi } from '../helpers/app';

/** Every route, with every kind of credential: the matrix covers routes added later without touching this file. */
let api: TestApi;
let keys: Record<'read' | 'write' | 'support' | 'all' | 'revoked', string>;

beforeAll(async () => {
  api = await startTestApi();
  keys = {
    read: await api.keyWith('read'),
    write: await api.keyWith('write'),
    support: await api.keyWith('support'),
    all: await api.keyWith('read', 'write', 'support'),
    revoked: await api.keyWith('read', 'write', 'support'),
  };
  const list = await api.call('GET', '/api/v1/auth/api-keys?limit=100');
  const revokedId = list.body.data.find((k: { prefix: string }) => keys.revoked.includes(k.prefix)).id;
  expect((await api.call('DELETE', `/api/v1/auth/api-keys/${revokedId}`)).status).toBe(200);
});
afterAll(() => api.close());

const concretePath = (path: string) => `/api/v1${path.replace(/:id/g, newId(path.startsWith('/auth') ? 'key' : 'usr'))}`;
const guarded = routes.filter((r) => r.access !== 'public');

describe.each(guarded.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', (_name, route) => {
  const call = async (key: string | null) => {
    const res = await api.call(route.method.toUpperCase(), concretePath(route.path), {
      key,
      body: route.method === 'post' ? {} : undefined,
    });
    // The on-ramp's routes refuse in document 003's envelope (api/middleware/errors.ts errorBodyFor): read it as ours.
    if (!route.path.startsWith('/onramp/') || res.status < 400) return res;
    expect(res.body).toMatchObject({ success: false, message: expect.any(String), responseObject: { canRetry: false } });
    const { errorCode, errorMessage, details } = res.body.responseObject;
    return { ...res, body: { error: { code: errorCode, message: errorMessage, details } } };
  };

  test('without a key answers 401 UNAUTHORIZED', async () => {
    const res = await call(null);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  test('with an unknown key answers 401 UNAUTHORIZED', async () => {
    const res = await call('ohk_live_' + 'A'.repeat(40));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  test('with a revoked key answers 401 UNAUTHORIZED', async () => {
    const res = await call(keys.revoked);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  const denied: Array<keyof typeof keys | 'master'> =
    route.access === 'master'
      ? ['read', 'write', 'support', 'all']
      : ['master', ...(['read', 'write', 'support'] as const).filter((s) => s !== route.access)];
  test.each(denied)(`with a "%s" credential answers 403 INSUFFICIENT_SCOPE (needs ${route.access})`, async (who) => {
    const res = await call(who === 'master' ? api.masterKey : keys[who]);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect(res.body.error.details.required).toBe(route.access);
  });

  test(`with the required credential (${route.access}) passes authorization`, async () => {
    const res = await call(route.access === 'master' ? api.masterKey : keys[route.access as 'read']);
    expect([401, 403]).not.toContain(res.status);
    // Routes that ask an outside provider may answer 502/503/504 here (no provider in this suite), never 500.
    expect(res.status).not.toBe(500);
  });
});

test('a malformed Authorization header answers 401 UNAUTHORIZED', async () => {
  for (const header of ['Basic abc', 'Bearer', 'Bearer  two spaces', `Bearer ${'x'.repeat(600)}`, 'bearer lower']) {
    const res = await api.call('GET', '/api/v1/users', { key: null, headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  }
});

test('health needs no key', async () => {
  const res = await api.call('GET', '/api/v1/health', { key: null });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('ok');
});
