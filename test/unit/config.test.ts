import { ConfigError, loadConfig, requireFor } from '../../src/config';

const valid = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/db',
  OFFERHUB_MASTER_KEY: 'm'.repeat(32),
  PLATFORM_SECRET: 'SCZANGBA5YHTNYVVV4C3U252E2B6P6F5T3U6MM63WBSBZATAQI3EBTQ4',
  USDC_ISSUER: 'GBBM6BKZPEHWYO3E3YKREDPQXMS4VK35YLNU7NFBRI26RAN7GI5POFBB',
  WALLET_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  IDEMPOTENCY_SEALING_KEYS: `r1:${Buffer.alloc(32, 2).toString('base64')}`,
  AIRTM_API_URL: 'https://api.stg.enterprise.airtm.com/v2',
  AIRTM_API_KEY: 'airtm-key',
  AIRTM_API_SECRET: 'airtm-secret',
  AIRTM_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 4).toString('base64')}`,
};
const noAirtm = { AIRTM_API_URL: undefined, AIRTM_API_KEY: undefined, AIRTM_API_SECRET: undefined, AIRTM_WEBHOOK_SECRET: undefined };

test('a complete environment parses into typed values with defaults', () => {
  const c = loadConfig(valid);
  expect(c.PORT).toBe(4000);
  expect(c.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
  expect(c.RATE_LIMIT_PER_MINUTE).toBe(100);
  expect(loadConfig({ ...valid, PORT: '8080' }).PORT).toBe(8080);
});

test.each([
  [{ OFFERHUB_MASTER_KEY: valid.OFFERHUB_MASTER_KEY }, 'DATABASE_URL'],
  [{ ...valid, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ DATABASE_URL: valid.DATABASE_URL }, 'OFFERHUB_MASTER_KEY'],
  [{ ...valid, OFFERHUB_MASTER_KEY: 'short' }, 'OFFERHUB_MASTER_KEY'],
  [{ ...valid, PORT: 'eighty' }, 'PORT'],
  [{ ...valid, PORT: '70000' }, 'PORT'],
  [{ ...valid, TEMPORAL_ADDRESS: 'no-port' }, 'TEMPORAL_ADDRESS'],
  [{ ...valid, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ ...valid, PLATFORM_SECRET: 'GBBM6BKZPEHWYO3E3YKREDPQXMS4VK35YLNU7NFBRI26RAN7GI5POFBB' }, 'PLATFORM_SECRET'],
  [{ ...valid, USDC_ISSUER: 'not-an-account' }, 'USDC_ISSUER'],
  [{ ...valid, WALLET_SEALING_KEY: 'k1:short' }, 'WALLET_SEALING_KEY'],
  [{ ...valid, PLATFORM_PUBLIC_KEY: valid.PLATFORM_SECRET }, 'PLATFORM_PUBLIC_KEY'],
  [{ ...valid, STELLAR_NETWORK: 'mainnet' }, 'STELLAR_NETWORK'],
  [{ ...valid, TRUST_PROXY: 'everyone; rm -rf' }, 'TRUST_PROXY'],
  [{ ...valid, METRICS_PORT: '70000' }, 'METRICS_PORT'],
  [{ ...valid, RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE'],
  // The pinned factory must be a contract id (C…): an account id or a typo is refused at start-up.
  [{ ...valid, TRUSTLESS_WORK_FACTORY_ID: valid.USDC_ISSUER }, 'TRUSTLESS_WORK_FACTORY_ID'],
  [{ ...valid, PAYMENT_PROVIDER: 'stripe' }, 'PAYMENT_PROVIDER'],
  [{ ...valid, PAYMENT_PROVIDER: 'crypto,airtm,crypto' }, 'PAYMENT_PROVIDER'],
  [{ ...valid, AIRTM_REQUESTS_PER_SECOND: '0' }, 'AIRTM_REQUESTS_PER_SECOND'],
])('a wrong or missing value stops start-up with a message naming the variable (%#: %s)', (env, variable) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(new RegExp(`^\\s+${variable}:`, 'm'));
});

describe('what each process must hold (requireFor)', () => {
  const apiOnly = {
    ...valid,
    PLATFORM_SECRET: undefined,
    WALLET_ENCRYPTION_KEYS: undefined,
    PLATFORM_PUBLIC_KEY: 'GBBM6BKZPEHWYO3E3YKREDPQXMS4VK35YLNU7NFBRI26RAN7GI5POFBB',
    WALLET_SEALING_KEY: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  };

  test('the API starts with the public key and the sealing key alone', () => {
    expect(() => requireFor('api', loadConfig(apiOnly))).not.toThrow();
  });

  test('the worker refuses that configuration, naming the secrets it needs to sign and open', () => {
    expect(() => requireFor('worker', loadConfig(apiOnly))).toThrow(ConfigError);
    expect(() => requireFor('worker', loadConfig(apiOnly))).toThrow(
      /PLATFORM_SECRET: is required[\s\S]*WALLET_ENCRYPTION_KEYS: is required/,
    );
  });

  test('the API needs its own key for sealed answers; the worker, which serves no HTTP, does not', () => {
    const noSealing = loadConfig({ ...apiOnly, IDEMPOTENCY_SEALING_KEYS: undefined });
    expect(() => requireFor('api', noSealing)).toThrow(/IDEMPOTENCY_SEALING_KEYS: is required but not set/);
    expect(() => requireFor('worker', loadConfig({ ...valid, IDEMPOTENCY_SEALING_KEYS: undefined }))).not.toThrow();
  });

  test('the API without any platform identity or wallet key is refused', () => {
    const bare = loadConfig({ ...apiOnly, PLATFORM_PUBLIC_KEY: undefined, WALLET_SEALING_KEY: undefined });
    expect(() => requireFor('api', bare)).toThrow(
      /PLATFORM_SECRET or PLATFORM_PUBLIC_KEY[\s\S]*WALLET_ENCRYPTION_KEYS or WALLET_SEALING_KEY/,
    );
  });
});

describe('payment modes (PAYMENT_PROVIDER)', () => {
  test('both rails by default; crypto, airtm or both in either order', () => {
    expect(loadConfig(valid).PAYMENT_PROVIDER).toEqual(['airtm', 'crypto']);
    expect(loadConfig({ ...valid, PAYMENT_PROVIDER: 'crypto' }).PAYMENT_PROVIDER).toEqual(['crypto']);
    expect(loadConfig({ ...valid, PAYMENT_PROVIDER: 'airtm' }).PAYMENT_PROVIDER).toEqual(['airtm']);
    expect(loadConfig({ ...valid, PAYMENT_PROVIDER: 'airtm, crypto' }).PAYMENT_PROVIDER).toEqual(['airtm', 'crypto']);
    expect(loadConfig(valid).AIRTM_REQUESTS_PER_SECOND).toBe(10);
  });

  test.each(['airtm', 'crypto,airtm'])(
    '%s: the API and the worker refuse to start without Airtm’s URL, key, secret and webhook secret',
    (mode) => {
      for (const process of ['api', 'worker'] as const) {
        const config = loadConfig({ ...valid, ...noAirtm, PAYMENT_PROVIDER: mode });
        expect(() => requireFor(process, config)).toThrow(
          /AIRTM_API_URL: is required[\s\S]*AIRTM_API_KEY: is required[\s\S]*AIRTM_API_SECRET: is required[\s\S]*AIRTM_WEBHOOK_SECRET: is required/,
        );
        const noWebhookSecret = loadConfig({ ...valid, AIRTM_WEBHOOK_SECRET: undefined, PAYMENT_PROVIDER: mode });
        expect(() => requireFor(process, noWebhookSecret)).toThrow(/^(?![\s\S]*AIRTM_API_URL)[\s\S]*AIRTM_WEBHOOK_SECRET: is required/);
      }
    },
  );

  test('crypto alone needs nothing of Airtm', () => {
    expect(() => requireFor('worker', loadConfig({ ...valid, ...noAirtm, PAYMENT_PROVIDER: 'crypto' }))).not.toThrow();
  });
});

test('metrics listen on 127.0.0.1:9464 and no proxy is trusted unless configured', () => {
  const c = loadConfig(valid);
  expect([c.METRICS_HOST, c.METRICS_PORT]).toEqual(['127.0.0.1', 9464]);
  expect(c.TRUST_PROXY).toBe(false);
  expect(c.RATE_LIMIT_PER_ADDRESS_PER_MINUTE).toBe(1000);
  expect(c.AUTH_MISS_CACHE_TTL_MS).toBe(5000);
});

test.each([
  ['true', true],
  ['false', false],
  ['1', 1],
  ['loopback', 'loopback'],
  ['loopback, 10.0.0.0/8, fd00::/8', 'loopback, 10.0.0.0/8, fd00::/8'],
])('TRUST_PROXY=%j becomes Express’s trust proxy setting %j', (value, expected) => {
  expect(loadConfig({ ...valid, TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
});

describe('network presets (STELLAR_NETWORK alone names Horizon, USDC and Trustless Work)', () => {
  const { USDC_ISSUER: _issuer, ...noIssuer } = valid;

  test('testnet: Horizon testnet, Circle’s testnet USDC issuer, Trustless Work’s dev API', () => {
    const c = loadConfig({ ...noIssuer, STELLAR_NETWORK: 'testnet' });
    expect([c.HORIZON_URL, c.USDC_ISSUER, c.TRUSTLESS_WORK_URL]).toEqual([
      'https://horizon-testnet.stellar.org',
      'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
      'https://dev.api.trustlesswork.com',
    ]);
  });

  test('public: Horizon public, Circle’s mainnet USDC issuer, Trustless Work’s production API', () => {
    const c = loadConfig({ ...noIssuer, STELLAR_NETWORK: 'public' });
    expect([c.HORIZON_URL, c.USDC_ISSUER, c.TRUSTLESS_WORK_URL]).toEqual([
      'https://horizon.stellar.org',
      'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
      'https://api.trustlesswork.com',
    ]);
  });

  test('sandbox (the default): the local sandboxes on :8000 and :8001, and USDC_ISSUER required', () => {
    const c = loadConfig(valid);
    expect([c.STELLAR_NETWORK, c.HORIZON_URL, c.TRUSTLESS_WORK_URL]).toEqual(['sandbox', 'http://127.0.0.1:8000', 'http://127.0.0.1:8001']);
    expect(() => loadConfig(noIssuer)).toThrow(/^\s+USDC_ISSUER: is required but not set/m);
    expect(() => loadConfig({})).toThrow(/DATABASE_URL: is required but not set[\s\S]*USDC_ISSUER: is required but not set/);
  });

  test.each(['sandbox', 'testnet', 'public'])('on %s, explicit HORIZON_URL, USDC_ISSUER and TRUSTLESS_WORK_URL win', (network) => {
    const c = loadConfig({
      ...valid,
      STELLAR_NETWORK: network,
      HORIZON_URL: 'http://h.example:1',
      TRUSTLESS_WORK_URL: 'http://tw.example:2',
    });
    expect([c.HORIZON_URL, c.USDC_ISSUER, c.TRUSTLESS_WORK_URL]).toEqual(['http://h.example:1', valid.USDC_ISSUER, 'http://tw.example:2']);
  });
});

describe('Airtm mode', () => {
  const airtm = {
    AIRTM_API_URL: 'https://api.stg.enterprise.airtm.com/v2',
    AIRTM_API_KEY: 'k',
    AIRTM_API_SECRET: 's',
    AIRTM_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 3).toString('base64')}`,
  };

  // A configuration with none of the four (crypto mode), to which each test adds some.
  const base = { ...valid, ...noAirtm, PAYMENT_PROVIDER: 'crypto' };

  test('without any AIRTM_ setting Airtm is off and the configuration loads', () => {
    expect(loadConfig(base).AIRTM_API_URL).toBeUndefined();
  });

  test('with all four settings it starts, with the top-up defaults (15 days to expire, a minute before the first ask)', () => {
    const c = loadConfig({ ...base, ...airtm });
    expect(c.TOPUP_EXPIRY_MS).toBe(15 * 24 * 3600_000);
    expect(c.TOPUP_POLL_INITIAL_MS).toBe(60_000);
  });
});
