import { postAnnounced } from '../src/events/balance-events';
import { releaseReservation, reserve } from '../src/ledger';
import { projectOrder } from '../src/orders/orders-repository';
import type { OrderState } from '../src/orders/order-state';
import type { ActivityDeps } from './deps';
import { rethrowRefusal } from './refusals';

export interface OrderMoneyInput {
  orderId: string;
  buyerId: string;
  amountMinor: string;
  currency: 'USD' | 'XLM';
}

export function createOrderActivities(deps: ActivityDeps) {
  const pool = deps.database.pool;
  return {
    /** The buyer's funds for this order: available → reserved (`order:<id>:reserve`). */
    async reserveOrderFunds(input: OrderMoneyInput): Promise<void> {
      await postAnnounced(pool, (tx) =>
        reserve(tx, {
          key: `order:${input.orderId}:reserve`,
          userId: input.buyerId,
          amount: BigInt(input.amountMinor),
          currency: input.currency,
          related: { type: 'order', id: input.orderId },
        }),
      ).catch(rethrowRefusal);
    },
    /** Gives a reservation back: reserved → available (`order:<id>:reservation-release`). */
    async releaseOrderReservation(input: OrderMoneyInput): Promise<void> {
      await postAnnounced(pool, (tx) =>
        releaseReservation(tx, {
          key: `order:${input.orderId}:reservation-release`,
          userId: input.buyerId,
          amount: BigInt(input.amountMinor),
          currency: input.currency,
          related: { type: 'order', id: input.orderId },
        }),
      ).catch(rethrowRefusal);
    },
    /** Writes the order's state onto its read-model row (ignored when an equal or newer version is there). */
    async projectOrder(input: {
      orderId: string;
      version: number;
      state: OrderState;
      at: string;
      previousEscrow?: string | null;
    }): Promise<void> {
      await projectOrder(deps.database.db, input);
    },
  };
}
