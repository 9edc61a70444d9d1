import { createSealer, createWalletBox, sealingKeyOf } from '../crypto/sealed-box';
import { parseKeyring, type Sealer, type SecretBox } from '../crypto/secret-box';
import type { Config } from '../config';

type WalletKeySettings = Pick<Config, 'WALLET_ENCRYPTION_KEYS' | 'WALLET_ENCRYPTION_KEY_ID' | 'WALLET_SEALING_KEY'>;

function keyring(config: WalletKeySettings): { ring: Map<string, Buffer>; activeKeyId: string } {
  if (!config.WALLET_ENCRYPTION_KEYS) throw new Error('WALLET_ENCRYPTION_KEYS is required to open wallet secrets');
  const ring = parseKeyring(config.WALLET_ENCRYPTION_KEYS);
  return { ring, activeKeyId: config.WALLET_ENCRYPTION_KEY_ID ?? [...ring.keys()][0] };
}

/** The worker's box: opens every wallet secret (any configured key id) and seals new ones to the active key. */
export function walletSecretBox(config: WalletKeySettings): SecretBox {
  const { ring, activeKeyId } = keyring(config);
  return createWalletBox(ring, activeKeyId);
}

/** The API's sealer: WALLET_SEALING_KEY (the active key's public half), or derived from the keyring where one is set. */
export function walletSealer(config: WalletKeySettings): Sealer {
  if (config.WALLET_SEALING_KEY) return createSealer(config.WALLET_SEALING_KEY);
  const { ring, activeKeyId } = keyring(config);
  return createSealer(sealingKeyOf(ring, activeKeyId));
}

/** `kid:base64(public key)` of the active wallet key: the value to give the API as WALLET_SEALING_KEY. */
export function walletSealingKey(config: WalletKeySettings): string {
  const { ring, activeKeyId } = keyring(config);
  return sealingKeyOf(ring, activeKeyId);
}
