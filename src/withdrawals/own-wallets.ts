import { MuxedAccount } from '@stellar/stellar-sdk';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { wallets } from '../db/schema';

/** The G… account behind a destination: a muxed M… address is one of its account's sub-accounts. */
export function baseAccountOf(address: string): string {
  return address.startsWith('M') ? MuxedAccount.fromAddress(address, '0').baseAccount().accountId() : address;
}

/** True when `address` (or the account behind a muxed address) is the platform account or any user's wallet. */
export async function isPlatformAddress(db: Db, platformPublicKey: string, address: string): Promise<boolean> {
  const account = baseAccountOf(address);
  if (account === platformPublicKey) return true;
  const [row] = await db.select({ userId: wallets.userId }).from(wallets).where(eq(wallets.publicKey, account)).limit(1);
  return row !== undefined;
}
