import { Keypair } from '@stellar/stellar-sdk';
import { treasuryKeypair } from '../src/treasury/treasury';
import { walletSealingKey } from '../src/wallets/wallet-keys';

/**
 * The environment `npm start` gives the API: it seals and never signs, so it gets the platform's account id and the
 * wallet sealing key (the public half of the active wallet key), and the treasury's account id (for its reconciliation),
 * never PLATFORM_SECRET or WALLET_ENCRYPTION_KEYS.
 */
export function apiEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { PLATFORM_SECRET, WALLET_ENCRYPTION_KEYS, ...rest } = env;
  return {
    ...rest,
    PLATFORM_PUBLIC_KEY: rest.PLATFORM_PUBLIC_KEY ?? Keypair.fromSecret(PLATFORM_SECRET!).publicKey(),
    TREASURY_PUBLIC_KEY: rest.TREASURY_PUBLIC_KEY ?? treasuryKeypair(Keypair.fromSecret(PLATFORM_SECRET!)).publicKey(),
    WALLET_SEALING_KEY:
      rest.WALLET_SEALING_KEY ??
      walletSealingKey({ WALLET_ENCRYPTION_KEYS, WALLET_ENCRYPTION_KEY_ID: rest.WALLET_ENCRYPTION_KEY_ID, WALLET_SEALING_KEY: undefined }),
  };
}
