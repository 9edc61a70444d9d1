import crypto from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import { apiEnv } from '../../devstack/process-env';
import { loadConfig, requireFor } from '../../src/config';
import { walletSealingKey } from '../../src/wallets/wallet-keys';

/** `npm start` gives the API what it needs and nothing that signs or opens (README, "Keys and secrets"). */
test('the API of npm start gets the platform’s account id and the wallet sealing key, never PLATFORM_SECRET or WALLET_ENCRYPTION_KEYS', () => {
  const platform = Keypair.random();
  const stack = {
    DATABASE_URL: 'postgres://offerhub@127.0.0.1:54329/offerhub',
    OFFERHUB_MASTER_KEY: `ohk_master_${crypto.randomBytes(24).toString('hex')}`,
    USDC_ISSUER: Keypair.random().publicKey(),
    IDEMPOTENCY_SEALING_KEYS: `r1:${crypto.randomBytes(32).toString('base64')}`,
    PLATFORM_SECRET: platform.secret(),
    WALLET_ENCRYPTION_KEYS: `k1:${crypto.randomBytes(32).toString('base64')},k2:${crypto.randomBytes(32).toString('base64')}`,
    WALLET_ENCRYPTION_KEY_ID: 'k2',
    PAYMENT_PROVIDER: 'crypto', // Airtm's settings are another test's (config.test.ts, payment modes)
  };
  const env = apiEnv(stack);
  expect(env).not.toHaveProperty('PLATFORM_SECRET');
  expect(env).not.toHaveProperty('WALLET_ENCRYPTION_KEYS');
  expect(env.PLATFORM_PUBLIC_KEY).toBe(platform.publicKey());
  expect(env.WALLET_SEALING_KEY).toBe(walletSealingKey({ ...stack, WALLET_SEALING_KEY: undefined }));
  expect(env.WALLET_SEALING_KEY).toMatch(/^k2:/);
  const config = loadConfig(env);
  expect(() => requireFor('api', config)).not.toThrow();
  expect(() => requireFor('worker', config)).toThrow(/PLATFORM_SECRET[\s\S]*WALLET_ENCRYPTION_KEYS/);
});
