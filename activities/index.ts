import { createDepositActivities } from './deposits';
import { createWalletActivities } from './wallets';
import { createWithdrawalActivities } from './withdrawals';
import { createOrderActivities } from './orders';
import { createEscrowActivities } from './escrow';
import { createWebhookActivities } from './webhooks';
import { createOnrampActivities } from './onramp';
import type { ActivityDeps } from './deps';

export type { ActivityDeps };

/** Every activity the worker registers, built over injected clients; one file per area. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWalletActivities(deps),
    ...createDepositActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createOrderActivities(deps),
    ...createEscrowActivities(deps),
    ...createWebhookActivities(deps),
    ...createOnrampActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
