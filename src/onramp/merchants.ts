import { Keypair } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { Sealer, SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { newId } from '../ids';
import type { StellarNetwork } from '../stellar/network';
import { submitSponsoredUsdcAccount } from '../wallets/wallets';
import { findMerchant, insertMerchant, markMerchantActive, type MerchantRow } from './onramp-repository';
import { merchantKeypair } from './onramp-steps';

/**
 * A merchant (liquidity provider) is a Stellar account the platform holds: its keypair is made here, its secret
 * sealed to the wallet key (bound to the merchant id) like a wallet's, so only the worker can sign for it.
 */
export async function createMerchant(
  db: Db,
  box: Sealer,
  m: { name: string; handles: Record<string, string> },
  id = newId('mer'),
): Promise<MerchantRow> {
  const pair = Keypair.random();
  return insertMerchant(db, { id, ...m, publicKey: pair.publicKey(), secretSealed: box.seal(pair.secret(), id) });
}

/** Creates the merchant's account on chain (0 XLM, USDC trustline, reserves sponsored by the platform), once. */
export async function activateMerchant(
  deps: { db: Db; pool: Pool; network: StellarNetwork; box: SecretBox },
  merchantId: string,
): Promise<MerchantRow> {
  const m = await findMerchant(deps.db, merchantId);
  if (!m) throw new Error(`merchant ${merchantId} does not exist`);
  if (m.status === 'ACTIVE') return m;
  const outcome = await submitSponsoredUsdcAccount(deps, `onramp-merchant:${m.id}:activate`, merchantKeypair(deps.box, m));
  if (outcome.status === 'FAILED') throw new Error(`activation of merchant ${m.id} failed: ${JSON.stringify(outcome.codes)}`);
  return markMerchantActive(deps.db, m.id);
}

export function renderMerchant(m: MerchantRow) {
  return { id: m.id, name: m.name, address: m.publicKey, handles: m.handles, status: m.status, createdAt: m.createdAt.toISOString() };
}
