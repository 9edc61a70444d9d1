import { MuxedAccount } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { walletOwners } from '../wallets/wallets-repository';

/** The G… account behind a destination: a muxed M… address is one of its account's sub-accounts. */
export function baseAccountOf(address: string): string {
  return address.startsWith('M') ? MuxedAccount.fromAddress(address, '0').baseAccount().accountId() : address;
}

/** True when `address` (or the account behind a muxed address) is the platform account or any user's wallet. */
export async function isPlatformAddress(pool: Pool, platformPublicKey: string, address: string): Promise<boolean> {
  const account = baseAccountOf(address);
  if (account === platformPublicKey) return true;
  return (await walletOwners(pool, [account])).has(account);
}
