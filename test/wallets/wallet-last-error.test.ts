import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import type { ActivityDeps } from '../../activities/deps';
import { createWalletActivities } from '../../activities/wallets';
import { loadConfig } from '../../src/config';
import { createStellarNetwork } from '../../src/stellar/network';
import { StellarTransientError } from '../../src/stellar/submitter';
import { createUser } from '../../src/users/users-repository';
import { shownWalletError, walletLastError } from '../../src/wallets/last-error';
import { walletSecretBox } from '../../src/wallets/wallet-keys';
import { ensureWallet, WalletActivationRefused } from '../../src/wallets/wallets';
import { findWallet } from '../../src/wallets/wallets-repository';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

/**
 * A wallet's `last_error` is shown to every `read` key (GET /users/{id}/wallet/deposit, wallet.* events): a code and a
 * sentence of ours, never an exception's text (hosts, ports, a library's message); the detail goes to the worker's logs.
 */
const db = testDatabase(2);
afterAll(() => db.close());

test('an activation that cannot reach Horizon stores PROVIDER_UNAVAILABLE and our sentence; the host and the error stay in the log', async () => {
  const config = loadConfig({ ...process.env, HORIZON_URL: 'http://127.0.0.1:1' });
  const box = walletSecretBox(config);
  const user = await createUser(db.db, { externalUserId: unique('wallet-error'), type: 'BUYER' });
  await ensureWallet(db.db, box, user.id);
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => done(void logged.push(String(chunk))) }));
  const deps = { database: db, logger, stellar: createStellarNetwork(config), secretBox: box, walletActivationChannels: 1 };
  const activities = createWalletActivities(deps as unknown as ActivityDeps);

  await expect(new MockActivityEnvironment().run(activities.activateWallet, { userId: user.id })).rejects.toBeInstanceOf(
    StellarTransientError,
  );

  const wallet = await findWallet(db.db, user.id);
  expect(wallet!.lastError).toBe(
    'PROVIDER_UNAVAILABLE: The Stellar network could not be reached or did not answer in time; the activation is being retried.',
  );
  expect(logged.join('')).toContain('127.0.0.1:1');
  expect(logged.join('')).toContain(user.id);
});

test('a refusal shows the network’s result codes; a fault of ours is only named', () => {
  const codes = '{"transaction":"tx_failed","operations":["op_success","op_already_exists"]}';
  expect(walletLastError(new WalletActivationRefused('activation of GABC… failed', codes))).toBe(
    `PROVIDER_ERROR: The Stellar network refused the activation (result codes ${codes}); asking again retries it.`,
  );
  expect(walletLastError(new Error('connect ECONNREFUSED 10.0.0.7:5432'))).toBe(
    'INTERNAL_ERROR: The activation failed unexpectedly; an operator can read the details in the worker’s logs.',
  );
  expect(walletLastError(new WalletActivationRefused('user usr_1 has no wallet'))).toBe(
    'INTERNAL_ERROR: The activation failed unexpectedly; an operator can read the details in the worker’s logs.',
  );
});

test('a row stored before this shape (an exception’s text) is shown as INTERNAL_ERROR, never as it is', () => {
  expect(shownWalletError('could not look up channel GANY…: connect ECONNREFUSED 10.0.0.7:8000')).toBe(
    'INTERNAL_ERROR: The activation failed unexpectedly; an operator can read the details in the worker’s logs.',
  );
  const current = walletLastError(new StellarTransientError('x'));
  expect(shownWalletError(current)).toBe(current);
  expect(shownWalletError(null)).toBeNull();
});
