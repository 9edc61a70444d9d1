import type { AnyRoute } from '../http/route';
import { apiKeyRoutes } from './api-keys';
import { balanceRoutes } from './balances';
import { healthRoutes } from './health';
import { userRoutes } from './users';
import { walletRoutes } from './wallets';
import { withdrawalRoutes } from './withdrawals';
import { reconciliationRoutes } from './reconciliation';
import { orderRoutes } from './orders';
import { escrowRoutes } from './escrow';
import { resolutionRoutes } from './resolution';
import { disputeRoutes } from './disputes';
import { auditRoutes } from './audit';
import { eventRoutes } from './events';
import { webhookRoutes } from './webhooks';
import { airtmRoutes } from './airtm';
import { topupRoutes } from './topups';
import { onrampRoutes } from './onramp';

/** Every /api/v1 route; the router and the OpenAPI document are both built from this list. */
export const routes: AnyRoute[] = [
  ...healthRoutes,
  ...apiKeyRoutes,
  ...userRoutes,
  ...balanceRoutes,
  ...walletRoutes,
  ...withdrawalRoutes,
  ...reconciliationRoutes,
  ...orderRoutes,
  ...escrowRoutes,
  ...resolutionRoutes,
  ...disputeRoutes,
  ...auditRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  ...airtmRoutes,
  ...topupRoutes,
  ...onrampRoutes,
];
