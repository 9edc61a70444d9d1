import type { SecretBox } from '../src/crypto/secret-box';
import type { Database } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { TrustlessWorkClient } from '../src/providers/trustless-work/client';
import type { StellarNetwork } from '../src/stellar/network';
import { createDepositActivities } from './deposits';
import { createWalletActivities } from './wallets';
import { createWithdrawalActivities } from './withdrawals';
import { createOrderActivities } from './orders';
import { createEscrowActivities } from './escrow';

/** What activities may use: built once in the worker and injected, never constructed inside an activity. */
export interface ActivityDeps {
  database: Database;
  logger: Logger;
  stellar: StellarNetwork;
  secretBox: SecretBox;
  /** Name of the Horizon payments cursor this worker's deposit watcher advances. */
  depositCursorName: string;
  /** Null when no Trustless Work API key is configured (escrow steps then refuse with PROVIDER_ERROR). */
  trustlessWork: TrustlessWorkClient | null;
}

/** Every activity the worker registers, built over injected clients; one file per area. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWalletActivities(deps),
    ...createDepositActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createOrderActivities(deps),
    ...createEscrowActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
