import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@stellar/stellar-sdk';
import { prepareRealNetwork, stackNetwork } from '../../devstack/real-network';

/** A local server standing in for Horizon (/accounts/G…) and friendbot (/friendbot?addr=G…): nothing here reaches the internet. */
let server: http.Server;
let base: string;
const requests: string[] = [];
const existing = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname.startsWith('/accounts/')) {
      const found = existing.has(url.pathname.slice('/accounts/'.length));
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    } else if (url.pathname === '/friendbot') {
      existing.add(url.searchParams.get('addr')!);
      res.writeHead(200).end('{}');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  requests.length = 0;
  existing.clear();
});

const platform = Keypair.random();
const realEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  STELLAR_NETWORK: 'testnet',
  PLATFORM_SECRET: platform.secret(),
  TRUSTLESS_WORK_API_KEY: 'tw-key',
  HORIZON_URL: base,
  FRIENDBOT_URL: `${base}/friendbot`,
  ...extra,
});

test.each([
  [undefined, 'sandboxes'],
  ['sandbox', 'sandboxes'],
  ['testnet', 'real'],
  ['public', 'real'],
])('npm start with STELLAR_NETWORK=%s runs against %s', (network, expected) => {
  expect(stackNetwork({ STELLAR_NETWORK: network })).toBe(expected);
});

test('testnet without TRUSTLESS_WORK_API_KEY is refused, saying where to get one, before any request', async () => {
  await expect(prepareRealNetwork(realEnv({ TRUSTLESS_WORK_API_KEY: undefined }))).rejects.toThrow(
    /TRUSTLESS_WORK_API_KEY is required[\s\S]*https:\/\/dapp\.trustlesswork\.com/,
  );
  expect(requests).toEqual([]);
});

test('a platform account testnet does not know yet is created by friendbot, once', async () => {
  const env = realEnv();
  await expect(prepareRealNetwork(env)).resolves.toEqual({ platform: platform.publicKey(), funded: true });
  expect(requests).toEqual([`/accounts/${platform.publicKey()}`, `/friendbot?addr=${platform.publicKey()}`]);

  requests.length = 0;
  await expect(prepareRealNetwork(env)).resolves.toEqual({ platform: platform.publicKey(), funded: false });
  expect(requests).toEqual([`/accounts/${platform.publicKey()}`]);
});

test('testnet fills the preset URLs and issuer where unset, and keeps explicit ones', async () => {
  existing.add(platform.publicKey());
  const env = realEnv({ TRUSTLESS_WORK_URL: undefined });
  await prepareRealNetwork(env);
  expect([env.HORIZON_URL, env.USDC_ISSUER, env.TRUSTLESS_WORK_URL]).toEqual([
    base,
    'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
    'https://dev.api.trustlesswork.com',
  ]);
});

test('public has no friendbot: a missing platform account is an error saying to fund it with XLM, nothing is called', async () => {
  const env = realEnv({ STELLAR_NETWORK: 'public', FRIENDBOT_URL: undefined });
  await expect(prepareRealNetwork(env)).rejects.toThrow(
    /does not exist on this network and it has no friendbot: create it by sending it XLM/,
  );
  expect(requests).toEqual([`/accounts/${platform.publicKey()}`]);
  expect(env.USDC_ISSUER).toBe('GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN');
});
