import crypto from 'node:crypto';
import { Asset, Horizon, Keypair, Networks } from '@stellar/stellar-sdk';
import type { Config } from '../config';
import { FeePolicy } from './fee-policy';

/** The sandbox speaks as a standalone network (the passphrase stellar-core uses for one). */
export const SANDBOX_PASSPHRASE = Networks.STANDALONE;

export interface StellarNetwork {
  name: Config['STELLAR_NETWORK'];
  passphrase: string;
  /** A short, stable tag of the network (from its passphrase), for business keys that must not collide across networks. */
  tag: string;
  horizon: Horizon.Server;
  usdc: Asset;
  /** The platform's keypair: able to sign in the worker, the public key alone in the API. */
  platform: Keypair;
  submitTimeoutMs: number;
  /** What the platform bids per operation (Horizon's fee stats, capped by STELLAR_MAX_FEE_STROOPS). */
  fees: FeePolicy;
}

export function passphraseFor(config: Pick<Config, 'STELLAR_NETWORK' | 'STELLAR_NETWORK_PASSPHRASE'>): string {
  if (config.STELLAR_NETWORK_PASSPHRASE) return config.STELLAR_NETWORK_PASSPHRASE;
  return { sandbox: SANDBOX_PASSPHRASE, testnet: Networks.TESTNET, public: Networks.PUBLIC }[config.STELLAR_NETWORK];
}

/** One Horizon client and the platform's identity, built once per process from configuration. */
export function createStellarNetwork(config: Config): StellarNetwork {
  const passphrase = passphraseFor(config);
  const horizon = new Horizon.Server(config.HORIZON_URL, { allowHttp: config.STELLAR_NETWORK !== 'public' });
  return {
    name: config.STELLAR_NETWORK,
    passphrase,
    tag: networkTag(passphrase),
    horizon,
    usdc: new Asset('USDC', config.USDC_ISSUER),
    platform: platformKeypair(config),
    submitTimeoutMs: config.STELLAR_SUBMIT_TIMEOUT_MS,
    fees: new FeePolicy(horizon, config.STELLAR_MAX_FEE_STROOPS, config.STELLAR_SUBMIT_TIMEOUT_MS),
  };
}

/** From PLATFORM_SECRET where the process signs; from PLATFORM_PUBLIC_KEY (cannot sign) where it does not. */
function platformKeypair(config: Config): Keypair {
  if (config.PLATFORM_SECRET) {
    const pair = Keypair.fromSecret(config.PLATFORM_SECRET);
    if (config.PLATFORM_PUBLIC_KEY && config.PLATFORM_PUBLIC_KEY !== pair.publicKey()) {
      throw new Error('PLATFORM_PUBLIC_KEY is not the public key of PLATFORM_SECRET');
    }
    return pair;
  }
  if (!config.PLATFORM_PUBLIC_KEY) throw new Error('PLATFORM_SECRET or PLATFORM_PUBLIC_KEY is required');
  return Keypair.fromPublicKey(config.PLATFORM_PUBLIC_KEY);
}

/** Operation ids are unique within one network only; keys built from them carry this tag. */
export function networkTag(passphrase: string): string {
  return crypto.createHash('sha256').update(passphrase).digest('hex').slice(0, 12);
}
