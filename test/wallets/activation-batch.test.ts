import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/client';
import { createStellarNetwork } from '../../src/stellar/network';
import { createUser } from '../../src/users/users-repository';
import { MAX_ACTIVATIONS_PER_TRANSACTION, OPS_PER_ACTIVATION, usersToBlame } from '../../src/wallets/activation-batch';
import { ActivationBatcher } from '../../src/wallets/activation-batcher';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { ensureWallet, WalletActivationRefused } from '../../src/wallets/wallets';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';
import { eventually, startStellarStack, type StellarStack } from '../helpers/stellar-stack';

/**
 * Wallets activate in bulk on the sandbox network, which admits one transaction per source account and ledger as
 * stellar-core does (src/herder/TransactionQueue.cpp): several users per transaction, several channel accounts.
 */
let s: StellarStack;
let db: Database;
let key: string;

beforeAll(async () => {
  s = await startStellarStack({ WALLET_ACTIVATION_CHANNELS: '3' });
  db = testDatabase();
  key = await s.api.keyWith('read', 'write');
}, 60_000);

afterAll(async () => {
  await db?.close();
  await s?.stop();
});

/** The transaction that created `address` (its account's first operation). */
async function creatingTransaction(address: string): Promise<string> {
  const ops = await s.horizon.operations().forAccount(address).order('asc').limit(1).call();
  return ops.records[0]!.transaction_hash;
}

test('40 sign-ups through the API activate in shared transactions: each wallet ACTIVE, sponsored, with its USDC trustline', async () => {
  const created = await Promise.all(
    Array.from({ length: 40 }, () =>
      s.api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('bulk'), type: 'BOTH' } }),
    ),
  );
  expect(created.map((c) => c.status)).toEqual(Array(40).fill(201));
  const ids = created.map((c) => c.body.data.id as string);
  const wallets = await Promise.all(
    ids.map((id) =>
      eventually(
        async () => {
          const res = await s.api.call('GET', `/api/v1/users/${id}/wallet/deposit`, { key });
          return res.body.data.status === 'ACTIVE' && res.body.data;
        },
        60_000,
        `activation of ${id}`,
      ),
    ),
  );
  const addresses = wallets.map((w) => w.address as string);
  expect(new Set(addresses).size).toBe(40);

  const account = await s.horizon.loadAccount(addresses[0]!);
  expect(account.balances.find((b) => b.asset_type === 'native')?.balance).toBe('0.0000000');
  expect(account.balances.some((b) => 'asset_code' in b && b.asset_code === 'USDC' && b.asset_issuer === s.usdc.issuer)).toBe(true);
  expect(account.num_sponsored).toBe(3); // the account's two base reserves and its trustline's one

  const txs = await Promise.all(addresses.map(creatingTransaction));
  const perTx = new Map<string, number>();
  for (const h of txs) perTx.set(h, (perTx.get(h) ?? 0) + 1);
  // At least ceil(40 / 18) = 3 transactions, fewer than users: a channel takes every user waiting when it is free (the
  // first sign-ups, arriving one by one, go out in small batches; bench:activations measures full ones).
  expect(perTx.size).toBeGreaterThanOrEqual(Math.ceil(40 / MAX_ACTIVATIONS_PER_TRANSACTION));
  expect(perTx.size).toBeLessThan(40);
  expect(Math.max(...perTx.values())).toBeGreaterThan(1);
  for (const hash of perTx.keys()) {
    const tx = await s.horizon.transactions().transaction(hash).call();
    expect(tx.fee_account).toBe(s.platform.publicKey()); // the platform pays, through a fee bump
    expect(tx.source_account).not.toBe(s.platform.publicKey()); // a channel's sequence number
    expect(tx.operation_count).toBe(perTx.get(hash)! * OPS_PER_ACTIVATION);
  }
}, 120_000);

test('a user whose account already exists fails alone: the others of its batch activate', async () => {
  const config = loadConfig({ ...process.env, ...s.overrides });
  const box = walletSecretBox(config);
  const batcher = new ActivationBatcher({ db: db.db, pool: db.pool, network: createStellarNetwork(config), box }, 1);
  const users = await Promise.all(Array.from({ length: 5 }, () => createUser(db.db, { externalUserId: unique('batch'), type: 'BOTH' })));
  const wallets = await Promise.all(users.map((u) => ensureWallet(db.db, box, u.id)));
  // Someone else created the third user's account (no USDC trustline): its create_account fails with op_already_exists.
  const taken = await fetch(`${s.sandbox.friendbotUrl}?addr=${wallets[2]!.publicKey}`);
  expect(taken.status).toBe(200);

  const results = await Promise.allSettled(users.map((u) => batcher.activate({ userId: u.id, maybeOnChain: false })));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  const refusal = (results[2] as PromiseRejectedResult).reason;
  expect(refusal).toBeInstanceOf(WalletActivationRefused);
  expect(String(refusal.message)).toContain('op_already_exists');
  for (const r of results.filter((x) => x.status === 'fulfilled'))
    expect((r as PromiseFulfilledResult<{ status: string }>).value.status).toBe('ACTIVE');
}, 60_000);

test('the users to blame for a failed batch are those whose operations did not succeed', () => {
  const ok = Array(OPS_PER_ACTIVATION).fill('op_success');
  const codes = {
    transaction: 'tx_fee_bump_inner_failed',
    inner_transaction: 'tx_failed',
    operations: [...ok, 'op_success', 'op_already_exists', 'op_success', 'op_success', ...ok],
  };
  expect(usersToBlame(codes, 3)).toEqual([1]);
  expect(usersToBlame({ transaction: 'tx_failed' }, 3)).toEqual([]);
});

test('an activation the network refuses ends FAILED with the reason, and no address given out', async () => {
  const config = loadConfig({ ...process.env, ...s.overrides });
  const user = await createUser(db.db, { externalUserId: unique('refused'), type: 'BOTH' });
  const wallet = await ensureWallet(db.db, walletSecretBox(config), user.id);
  // Someone else created the account first (no USDC trustline): its create_account can only fail, alone.
  expect((await fetch(`${s.sandbox.friendbotUrl}?addr=${wallet.publicKey}`)).status).toBe(200);
  expect((await s.api.call('POST', `/api/v1/users/${user.id}/wallet/activate`, { key })).status).toBe(202);
  const failed = await eventually(
    async () => {
      const res = await s.api.call('GET', `/api/v1/users/${user.id}/wallet/deposit`, { key });
      return res.body.data.status === 'FAILED' && res.body.data;
    },
    30_000,
    'the refusal',
  );
  expect(failed.address).toBeNull();
  expect(failed.last_error).toContain('op_already_exists');
}, 60_000);
