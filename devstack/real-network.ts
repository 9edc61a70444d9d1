import { Keypair } from '@stellar/stellar-sdk';
import { NETWORK_PRESETS } from '../src/config';

/** How to get the one thing a real network needs that no preset can give. */
export const TRUSTLESS_WORK_KEY_HOWTO =
  'TRUSTLESS_WORK_API_KEY is required on a real network: connect a Stellar wallet at https://dapp.trustlesswork.com, ' +
  'fill in your profile (Settings), then request an API key there (docs.trustlesswork.com, "Request API Key"; ' +
  'a testnet key for testnet, a mainnet key for public)';

/** What `npm start` runs against: its own sandboxes, or a real network named by STELLAR_NETWORK (no sandbox starts). */
export function stackNetwork(env: NodeJS.ProcessEnv): 'sandboxes' | 'real' {
  return env.STELLAR_NETWORK === 'testnet' || env.STELLAR_NETWORK === 'public' ? 'real' : 'sandboxes';
}

/**
 * Prepares `env` for a real network: fills HORIZON_URL, USDC_ISSUER and TRUSTLESS_WORK_URL from the network's preset
 * where unset (explicit variables win), requires TRUSTLESS_WORK_API_KEY, and makes sure the platform account exists,
 * creating it through friendbot (FRIENDBOT_URL, default the network's) when the network has one. Returns what it did.
 */
export async function prepareRealNetwork(env: NodeJS.ProcessEnv): Promise<{ platform: string; funded: boolean }> {
  const network = env.STELLAR_NETWORK as 'testnet' | 'public';
  const preset = NETWORK_PRESETS[network];
  if (!env.TRUSTLESS_WORK_API_KEY) throw new Error(TRUSTLESS_WORK_KEY_HOWTO);
  env.HORIZON_URL ??= preset.HORIZON_URL;
  env.USDC_ISSUER ??= preset.USDC_ISSUER;
  env.TRUSTLESS_WORK_URL ??= preset.TRUSTLESS_WORK_URL;
  const platform = Keypair.fromSecret(env.PLATFORM_SECRET!).publicKey();
  const funded = await ensureAccount(env.HORIZON_URL, env.FRIENDBOT_URL ?? preset.friendbot, platform);
  return { platform, funded };
}

/**
 * Makes sure `account` exists on the network behind `horizonUrl`: when Horizon does not know it, asks friendbot
 * (`GET <friendbot>?addr=G…`, developers.stellar.org "Create an account") to create and fund it. Returns whether it did.
 * Without a friendbot (public), a missing account is an error saying how to create it.
 */
export async function ensureAccount(horizonUrl: string, friendbotUrl: string | undefined, account: string): Promise<boolean> {
  const found = await fetch(`${horizonUrl.replace(/\/$/, '')}/accounts/${account}`);
  if (found.ok) return false;
  if (found.status !== 404) throw new Error(`Horizon at ${horizonUrl} answered ${found.status} for the platform account ${account}`);
  if (!friendbotUrl) {
    throw new Error(
      `the platform account ${account} does not exist on this network and it has no friendbot: create it by sending it XLM (it pays every fee and sponsors wallet reserves)`,
    );
  }
  const funded = await fetch(`${friendbotUrl}?addr=${encodeURIComponent(account)}`);
  if (!funded.ok)
    throw new Error(`friendbot (${friendbotUrl}) could not fund the platform account ${account}: ${funded.status} ${await funded.text()}`);
  return true;
}
