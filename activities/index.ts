import { createDepositActivities } from './deposits';
import { createWalletActivities } from './wallets';
import { createWithdrawalActivities } from './withdrawals';
import { createAirtmPayoutActivities } from './airtm-payouts';
import { createOrderActivities } from './orders';
import { createEscrowActivities } from './escrow';
import { createWebhookActivities } from './webhooks';
import { createTopupActivities } from './topups';
import { createOnrampActivities } from './onramp';
import type { ActivityDeps } from './deps';

export type { ActivityDeps };

/** Every activity the worker registers, built over injected clients; one file per area. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWalletActivities(deps),
    ...createDepositActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createAirtmPayoutActivities(deps),
    ...createOrderActivities(deps),
    ...createEscrowActivities(deps),
    ...createWebhookActivities(deps),
    ...createTopupActivities(deps),
    ...createOnrampActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
