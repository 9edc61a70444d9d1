/** `npm run wallets:sealing-key`: prints WALLET_SEALING_KEY (the active wallet key's public half) to give the API. */
import { useLocalStackEnv } from '../devstack/local-env';
import { walletSealingKey } from '../src/wallets/wallet-keys';

useLocalStackEnv();

const keys = process.env.WALLET_ENCRYPTION_KEYS;
if (!keys) {
  console.error('WALLET_ENCRYPTION_KEYS is required');
  process.exit(2);
}
console.log(
  walletSealingKey({
    WALLET_ENCRYPTION_KEYS: keys,
    WALLET_ENCRYPTION_KEY_ID: process.env.WALLET_ENCRYPTION_KEY_ID,
    WALLET_SEALING_KEY: undefined,
  }),
);
