import { z } from 'zod';
import { ensureWallet } from '../../src/wallets/wallets';
import { defineRoute } from '../http/route';
import { startWalletActivation } from '../workflow-starts';
import { requireUser, userIdParams } from './users';

const depositAddressSchema = z
  .object({
    user_id: z.string(),
    address: z.string().meta({ description: 'The user’s Stellar account (G…); send USDC here' }),
    asset: z.object({ code: z.literal('USDC'), issuer: z.string() }),
    network: z.string().meta({ description: 'sandbox, testnet or public' }),
    network_passphrase: z.string(),
    status: z.enum(['PENDING', 'ACTIVE', 'FAILED']).meta({
      description:
        'PENDING until the account and its USDC trustline exist on chain; FAILED when activation gave up (asking again retries it)',
    }),
  })
  .meta({ id: 'DepositAddress' });

export const walletRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/:id/wallet/deposit',
    tag: 'Wallets',
    summary: 'The user’s USDC deposit address on Stellar',
    description:
      'Payments of USDC to this address are credited to the user’s available balance once, within seconds of the ledger closing.',
    access: 'read',
    params: userIdParams,
    responses: {
      200: { description: 'Deposit address', schema: z.object({ data: depositAddressSchema }) },
      404: { description: 'USER_NOT_FOUND' },
    },
    async handle({ params, deps }) {
      const user = await requireUser(deps.database.db, params.id);
      const wallet = await ensureWallet(deps.database.db, deps.walletBox, user.id);
      if (wallet.status !== 'ACTIVE') await startWalletActivation(deps, user.id);
      return {
        status: 200,
        body: {
          data: {
            user_id: user.id,
            address: wallet.publicKey,
            asset: { code: 'USDC', issuer: deps.stellar.usdc.issuer },
            network: deps.config.STELLAR_NETWORK,
            network_passphrase: deps.stellar.passphrase,
            status: wallet.status,
          },
        },
      };
    },
  }),
];
