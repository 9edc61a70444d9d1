import { postAnnounced } from '../src/events/balance-events';
import { releaseReservation, reserve } from '../src/ledger';
import { projectOrder, type OrderProjection } from '../src/orders/orders-repository';
import type { ActivityDeps } from './deps';
import { rethrowRefusal } from './refusals';
import { auditActor } from './signal-sender';

export interface OrderMoneyInput {
  orderId: string;
  buyerId: string;
  amountMinor: string;
  currency: 'USD' | 'XLM';
}

/** The buyer's side of an order's ledger move: keyed `order:<id>:<step>`, for the order's amount. */
function buyerMove(input: OrderMoneyInput, step: string) {
  return {
    key: `order:${input.orderId}:${step}`,
    userId: input.buyerId,
    amount: BigInt(input.amountMinor),
    currency: input.currency,
    related: { type: 'order', id: input.orderId },
  };
}

export function createOrderActivities(deps: ActivityDeps) {
  const pool = deps.database.pool;
  return {
    /** The buyer's funds for this order: available → reserved (`order:<id>:reserve`). */
    async reserveOrderFunds(input: OrderMoneyInput): Promise<void> {
      await postAnnounced(pool, (tx) => reserve(tx, buyerMove(input, 'reserve'))).catch(rethrowRefusal);
    },
    /** Gives a reservation back: reserved → available (`order:<id>:reservation-release`). */
    async releaseOrderReservation(input: OrderMoneyInput): Promise<void> {
      await postAnnounced(pool, (tx) => releaseReservation(tx, buyerMove(input, 'reservation-release'))).catch(rethrowRefusal);
    },
    /**
     * Writes the order's state onto its read-model row (ignored when an equal or newer version is there), with its
     * audit entry: an operator's signal is recorded under the identity Temporal saw send it.
     */
    async projectOrder(input: OrderProjection): Promise<void> {
      const audit = input.audit && { ...input.audit, by: await auditActor(deps, input.audit.by) };
      await projectOrder(deps.database.db, { ...input, ...(audit ? { audit } : {}) });
    },
  };
}
