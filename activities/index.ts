import type { SecretBox } from '../src/crypto/secret-box';
import type { Database } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { StellarNetwork } from '../src/stellar/network';
import { createDepositActivities } from './deposits';
import { createWalletActivities } from './wallets';
import { createWithdrawalActivities } from './withdrawals';
import { createOrderActivities } from './orders';

/** What activities may use: built once in the worker and injected, never constructed inside an activity. */
export interface ActivityDeps {
  database: Database;
  logger: Logger;
  stellar: StellarNetwork;
  secretBox: SecretBox;
  /** Name of the Horizon payments cursor this worker's deposit watcher advances. */
  depositCursorName: string;
}

/** Every activity the worker registers, built over injected clients; one file per area. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWalletActivities(deps),
    ...createDepositActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createOrderActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
