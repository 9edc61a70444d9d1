import { API_CSP } from '../../api/middleware/security-headers';
import { DOCS_CSP } from '../../api/openapi/docs-page';
import { startTestApi, type TestApi } from '../helpers/app';

/** Headers every answer carries (an API route, an error, the docs page) and HSTS only over TLS. */
let api: TestApi;
let behindProxy: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  behindProxy = await startTestApi({ TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await api.close();
  await behindProxy.close();
});

const directives = (csp: string | null) =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );

const answers = {
  'an API route': () => api.call('GET', '/api/v1/health', { key: null }),
  'an error answer': () => api.call('GET', '/api/v1/users', { key: 'ohk_live_bogus' }),
  'an unknown path': () => api.call('GET', '/nowhere', { key: null }),
  '/docs': () => api.call('GET', '/docs', { key: null }),
};

test.each(Object.keys(answers))('%s carries nosniff, no-referrer and a CSP forbidding framing', async (name) => {
  const res = await answers[name as keyof typeof answers]();
  expect(res.status).toBe(name === 'an error answer' ? 401 : name === 'an unknown path' ? 404 : 200);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(directives(res.headers.get('content-security-policy'))['frame-ancestors']).toEqual(["'none'"]);
  expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
});

test('API answers forbid loading anything at all', async () => {
  const res = await api.call('GET', '/api/v1/health', { key: null });
  expect(res.headers.get('content-security-policy')).toBe(API_CSP);
  expect(directives(API_CSP)['default-src']).toEqual(["'none'"]);
});

test('/docs allows only this origin (and data: images) and every script it references is a same-origin file', async () => {
  const res = await api.call('GET', '/docs', { key: null });
  expect(res.headers.get('content-security-policy')).toBe(DOCS_CSP);
  const csp = directives(DOCS_CSP);
  expect(csp['default-src']).toEqual(["'none'"]);
  expect(csp['script-src']).toEqual(["'self'"]); // no inline script, no eval
  for (const sources of Object.values(csp)) for (const s of sources) expect(s).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
  // The page works under that policy only if it has no inline script and loads nothing from elsewhere.
  expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  const refs = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  expect(refs.length).toBeGreaterThanOrEqual(3);
  for (const ref of refs) {
    expect(ref).toMatch(/^\/docs\//);
    const asset = await fetch(`${api.url}${ref}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  }
  // Swagger UI would otherwise load its validator badge from validator.swagger.io.
  expect(await (await fetch(`${api.url}/docs/init.js`)).text()).toMatch(/validatorUrl: null/);
});

test('Strict-Transport-Security is sent when a trusted proxy says the request came over TLS', async () => {
  const https = { 'x-forwarded-proto': 'https' };
  for (const call of [
    () => behindProxy.call('GET', '/api/v1/health', { key: null, headers: https }),
    () => behindProxy.call('GET', '/api/v1/users', { key: 'ohk_live_bogus', headers: https }),
    () => behindProxy.call('GET', '/docs', { key: null, headers: https }),
  ]) {
    expect((await call()).headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  }
  const plain = await behindProxy.call('GET', '/api/v1/health', { key: null, headers: { 'x-forwarded-proto': 'http' } });
  expect(plain.headers.get('strict-transport-security')).toBeNull();
});

test('without TRUST_PROXY, a client claiming X-Forwarded-Proto: https gets no Strict-Transport-Security', async () => {
  const res = await api.call('GET', '/api/v1/health', { key: null, headers: { 'x-forwarded-proto': 'https' } });
  expect(res.headers.get('strict-transport-security')).toBeNull();
});
