import { Keypair, StrKey } from '@stellar/stellar-sdk';
import { ensureAccount } from '../../devstack/real-network';
import { loadConfig, NETWORK_PRESETS } from '../../src/config';
import { TrustlessWorkClient, TrustlessWorkRefusal, trustlessWorkFromConfig } from '../../src/providers/trustless-work/client';
import { createStellarNetwork } from '../../src/stellar/network';
import { createUser } from '../../src/users/users-repository';
import { activateWallet, ensureWallet } from '../../src/wallets/wallets';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { testDatabase } from '../helpers/db';

/**
 * The adapter's contract with the real services: Stellar testnet (Horizon, friendbot, Circle's testnet USDC) and
 * Trustless Work's dev API, through our own code. Run by `npm run test:testnet` (scripts/test-testnet.js) only, with
 * TRUSTLESS_WORK_API_KEY set; the platform account is TESTNET_PLATFORM_SECRET's, or one friendbot creates for the run.
 */
const config = loadConfig({
  ...process.env,
  STELLAR_NETWORK: 'testnet',
  HORIZON_URL: undefined,
  USDC_ISSUER: undefined,
  TRUSTLESS_WORK_URL: undefined,
  STELLAR_NETWORK_PASSPHRASE: undefined,
});
const network = createStellarNetwork(config);
const db = testDatabase(4);
afterAll(() => db.close());

beforeAll(async () => {
  await ensureAccount(config.HORIZON_URL, NETWORK_PRESETS.testnet.friendbot, network.platform.publicKey());
});

test('the configuration is testnet’s preset: Horizon testnet, Circle’s testnet USDC, Trustless Work’s dev API', () => {
  expect([config.HORIZON_URL, config.USDC_ISSUER, config.TRUSTLESS_WORK_URL]).toEqual([
    'https://horizon-testnet.stellar.org',
    'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5',
    'https://dev.api.trustlesswork.com',
  ]);
});

test('Horizon testnet answers and the platform account loads with an XLM balance to pay fees and reserves', async () => {
  const account = await network.horizon.loadAccount(network.platform.publicKey());
  const xlm = account.balances.find((b) => b.asset_type === 'native');
  expect(Number(xlm?.balance)).toBeGreaterThan(5);
});

test('fee stats are readable: a numeric last ledger base fee and fee percentiles', async () => {
  const stats = await network.horizon.feeStats();
  expect(Number(stats.last_ledger_base_fee)).toBeGreaterThanOrEqual(100);
  expect(Number(stats.fee_charged.p90)).toBeGreaterThanOrEqual(100);
});

test('a wallet activation through src/wallets creates a sponsored account with a USDC trustline on testnet', async () => {
  const box = walletSecretBox(config);
  const user = await createUser(db.db, { externalUserId: `testnet-${Date.now()}`, type: 'BUYER' });
  const wallet = await ensureWallet(db.db, box, user.id);
  const active = await activateWallet({ db: db.db, pool: db.pool, network, box }, user.id);
  expect(active.status).toBe('ACTIVE');

  const account = await network.horizon.loadAccount(wallet.publicKey);
  const usdc = account.balances.find((b) => 'asset_code' in b && b.asset_code === 'USDC');
  expect(usdc && 'asset_issuer' in usdc ? usdc.asset_issuer : null).toBe(config.USDC_ISSUER);
  expect(account.num_sponsored).toBe(3); // the account (two base reserves) and its trustline (one), all paid by the platform
  expect(Number(account.balances.find((b) => b.asset_type === 'native')?.balance)).toBe(0);
});

test('Trustless Work answers an authenticated read with our key, and refuses the same read with a wrong key', async () => {
  const unknownContract = StrKey.encodeContract(Keypair.random().rawPublicKey());
  const tw = trustlessWorkFromConfig(config)!;
  const ours = await tw.getEscrows([unknownContract]).then(
    (escrows) => ({ status: 200, escrows }),
    (err: unknown) => {
      if (err instanceof TrustlessWorkRefusal) return { status: err.status, escrows: null };
      throw err;
    },
  );
  expect([401, 403]).not.toContain(ours.status); // authenticated: an answer about the contract, not about the key

  const wrong = new TrustlessWorkClient({ baseUrl: config.TRUSTLESS_WORK_URL, apiKey: 'not-a-key', timeoutMs: 30_000 });
  const refused = await wrong.getEscrows([unknownContract]).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(TrustlessWorkRefusal);
  expect([401, 403]).toContain((refused as TrustlessWorkRefusal).status);
});
