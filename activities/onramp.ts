import type { Actor } from '../src/audit/actor';
import { activateMerchant, renderMerchant } from '../src/onramp/merchants';
import { failFulfilTimeout, fulfil, type FulfilRequest } from '../src/onramp/fulfilment';
import { cancel, expire, markPaymentSent, signalIntent } from '../src/onramp/onramp-steps';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

/** The on-ramp order's steps (src/onramp/onramp-steps.ts), each one typed input carrying the order id. */
export function createOnrampActivities(deps: ActivityDeps) {
  const stepDeps = {
    db: deps.database.db,
    pool: deps.database.pool,
    network: deps.stellar,
    box: deps.secretBox,
    verifyProof: deps.onramp.verifyProof,
    policy: deps.onramp.policy,
  };
  return {
    /** Locks the order's USDC in a claimable balance for the buyer (SIGNAL_SENT → SIGNAL_MINED, or FAILED). */
    async signalOnrampIntent(input: { orderId: string }) {
      return withHeartbeat(() => signalIntent(stepDeps, input.orderId));
    },
    async markOnrampPaymentSent(input: { orderId: string; by: Actor }) {
      return markPaymentSent(stepDeps, input.orderId, input.by);
    },
    /** Verifies the proof (the attempt is recorded whatever its outcome) and, when it holds, claims and credits once. */
    async fulfilOnrampOrder(input: FulfilRequest) {
      return withHeartbeat(() => fulfil(stepDeps, input));
    },
    async failOnrampFulfilTimeout(input: { orderId: string }) {
      return failFulfilTimeout(stepDeps, input.orderId);
    },
    /** At the expiry: the merchant reclaims its USDC (EXPIRED; a FAILED order stays FAILED). */
    async expireOnrampOrder(input: { orderId: string }) {
      return withHeartbeat(() => expire(stepDeps, input.orderId));
    },
    /** Support's cancel: the USDC goes back to the merchant on chain (CANCELLED). */
    async cancelOnrampOrder(input: { orderId: string; by: Actor }) {
      return withHeartbeat(() => cancel(stepDeps, input.orderId, input.by));
    },
    /** Creates a merchant's account on chain (platform-sponsored, USDC trustline). */
    async activateOnrampMerchant(input: { merchantId: string }) {
      return renderMerchant(await withHeartbeat(() => activateMerchant(stepDeps, input.merchantId)));
    },
  };
}
