import http from 'node:http';
import { postDelivery } from '../../src/webhooks/post-delivery';
import { checkUrlForm, checkWebhookUrl, isInternalAddress, UrlPolicyError } from '../../src/webhooks/url-policy';

async function refusal(url: string, allowInsecure = false): Promise<string | null> {
  try {
    await checkWebhookUrl(url, allowInsecure);
    return null;
  } catch (err) {
    if (err instanceof UrlPolicyError) return err.code;
    throw err;
  }
}

test.each([
  '127.0.0.1',
  '127.255.0.9',
  '10.0.0.1',
  '172.16.4.4',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  '::1',
  '::',
  'fd00::1',
  'fe80::1',
  '::ffff:127.0.0.1',
  '::ffff:10.1.2.3',
])('%s is internal', (address) => {
  expect(isInternalAddress(address)).toBe(true);
});

test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
  expect(isInternalAddress(address)).toBe(false);
});

test('in production only https is accepted', async () => {
  expect(await refusal('http://8.8.8.8/hook')).toBe('https_required');
  expect(await refusal('ftp://8.8.8.8/hook')).toBe('https_required');
  expect(await refusal('https://8.8.8.8/hook')).toBeNull();
});

test('loopback, private and link-local literals are refused in production, allowed when insecure URLs are', async () => {
  expect(await refusal('https://127.0.0.1/hook')).toBe('internal_address');
  expect(await refusal('https://10.0.0.1/hook')).toBe('internal_address');
  expect(await refusal('https://[::1]:8443/hook')).toBe('internal_address');
  expect(await refusal('https://169.254.169.254/latest')).toBe('internal_address');
  expect(await refusal('http://127.0.0.1:9/hook', true)).toBeNull();
  expect(await refusal('http://10.0.0.1/hook', true)).toBeNull();
});

test('a host name is judged by what it resolves to: localhost (loopback) is refused', async () => {
  expect(await refusal('https://localhost/hook')).toBe('internal_address');
  expect(await refusal('https://localhost/hook', true)).toBeNull();
});

test('a name that does not resolve, credentials and non-URLs are refused', async () => {
  expect(await refusal('https://does-not-exist.invalid/hook')).toBe('unresolvable');
  expect(await refusal('https://user:pass@8.8.8.8/hook')).toBe('credentials_in_url');
  expect(await refusal('not a url')).toBe('invalid_url');
  expect(() => checkUrlForm('https://8.8.8.8/hook', false)).not.toThrow();
});

describe('at delivery time the connection goes only where the policy looked', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (url: string, allowInsecure: boolean) => postDelivery({ url, headers: {}, body: '{}', timeoutMs: 2000, allowInsecure });

  test('a name that resolves to loopback is refused when the socket looks it up, nothing is sent', async () => {
    const outcome = await post(`https://localhost:${port}/hook`, false);
    expect(outcome.statusCode).toBeNull();
    expect(outcome.error).toMatch(/^url_policy: the host localhost resolves to a loopback, private or link-local address$/);
  });

  test('a loopback literal and http are refused before any connection', async () => {
    expect((await post(`https://127.0.0.1:${port}/hook`, false)).error).toMatch(/^url_policy: must not point at a loopback/);
    expect((await post(`http://8.8.8.8/hook`, false)).error).toBe('url_policy: must be https');
  });

  test('where insecure URLs are allowed the same name connects', async () => {
    expect((await post(`http://localhost:${port}/hook`, true)).statusCode).toBe(204);
  });
});
