import { z } from 'zod';
import { AppError } from '../../src/errors';
import { ensureWallet } from '../../src/wallets/wallets';
import { findWallet, renderWallet, type WalletRow } from '../../src/wallets/wallets-repository';
import type { ApiDeps } from '../context';
import { defineRoute } from '../http/route';
import { reserveActivation, startWalletActivation } from '../wallet-activation';
import { requireProvider } from './payment-providers';
import { requireUser, userIdParams } from './users';

const depositAddressSchema = z
  .object({
    user_id: z.string(),
    address: z.string().nullable().meta({
      description:
        'The user’s Stellar account (G…); send USDC here. Null until the wallet is ACTIVE: an address that cannot receive yet is never given out',
    }),
    asset: z.object({ code: z.literal('USDC'), issuer: z.string() }),
    network: z.string().meta({ description: 'sandbox, testnet or public' }),
    network_passphrase: z.string(),
    status: z.enum(['PENDING', 'ACTIVE', 'FAILED']).meta({
      description:
        'PENDING until the account and its USDC trustline exist on chain; FAILED when activation gave up (asking again retries it)',
    }),
    last_error: z.string().nullable().meta({
      description:
        'Why the last activation attempt did not complete, as `CODE: a sentence`: PROVIDER_ERROR (refused, with the network’s result codes), PROVIDER_UNAVAILABLE (being retried) or INTERNAL_ERROR; null once ACTIVE',
    }),
  })
  .meta({ id: 'DepositAddress' });

/** The deposit address as the API shows it: only once it can receive (its account and USDC trustline exist). */
function renderDepositAddress(deps: ApiDeps, wallet: WalletRow) {
  const w = renderWallet(wallet);
  return {
    user_id: w.user_id,
    address: w.address,
    asset: { code: 'USDC' as const, issuer: deps.stellar.usdc.issuer },
    network: deps.config.STELLAR_NETWORK,
    network_passphrase: deps.stellar.passphrase,
    status: w.status,
    last_error: w.last_error,
  };
}

export const walletRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/:id/wallet/deposit',
    tag: 'Wallets',
    summary: 'The user’s USDC deposit address on Stellar',
    description:
      'Payments of USDC to this address are credited to the user’s available balance once, within seconds of the ledger closing. ' +
      'A read: it starts nothing. A wallet that is not ACTIVE is activated by POST /users/{id}/wallet/activate.',
    access: 'read',
    params: userIdParams,
    responses: {
      200: { description: 'Deposit address', schema: z.object({ data: depositAddressSchema }) },
      404: { description: 'USER_NOT_FOUND, or NOT_FOUND when the user has no wallet yet (POST /users/{id}/wallet/activate)' },
      409: { description: 'PROVIDER_NOT_ENABLED: Stellar deposits are off (PAYMENT_PROVIDER=airtm)' },
    },
    async handle({ params, deps }) {
      requireProvider(deps, 'crypto');
      const user = await requireUser(deps.database.db, params.id);
      const wallet = await findWallet(deps.database.db, user.id);
      if (!wallet) throw new AppError('NOT_FOUND', 'The user has no wallet yet: POST /users/{id}/wallet/activate creates and activates it');
      return { status: 200, body: { data: renderDepositAddress(deps, wallet) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:id/wallet/activate',
    tag: 'Wallets',
    summary: 'Create the user’s wallet if needed and put it on chain (paid in the platform’s XLM, within the daily budget)',
    description:
      'Answers at once with the wallet PENDING (or ACTIVE when it already is); GET /users/{id}/wallet/deposit shows when it is ACTIVE. ' +
      'An activation already running is not started (or paid) twice.',
    access: 'write',
    idempotency: { window: '24h' },
    params: userIdParams,
    responses: {
      202: { description: 'Activation started or already running', schema: z.object({ data: depositAddressSchema }) },
      200: { description: 'Already ACTIVE', schema: z.object({ data: depositAddressSchema }) },
      404: { description: 'USER_NOT_FOUND' },
      429: { description: 'RATE_LIMITED: details.budget names the daily wallet-activation budget that is spent' },
    },
    async handle({ params, deps, principal }) {
      const user = await requireUser(deps.database.db, params.id);
      const wallet = await ensureWallet(deps.database.db, deps.walletBox, user.id);
      if (wallet.status === 'ACTIVE') return { status: 200, body: { data: renderDepositAddress(deps, wallet) } };
      await reserveActivation(deps, principal!.id);
      await startWalletActivation(deps, user.id, principal!.id);
      return { status: 202, body: { data: renderDepositAddress(deps, (await findWallet(deps.database.db, user.id))!) } };
    },
  }),
];
