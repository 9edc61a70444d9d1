import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OrderState } from '../orders/order-state';

/** What the API asks of an order workflow (message definitions only: the API imports this file). */
export interface OrderInput {
  orderId: string;
  buyerId: string;
  sellerId: string;
  /** Minor units as a decimal string (workflow arguments are JSON). */
  amountMinor: string;
  currency: 'USD' | 'XLM';
  /** A reservation not funded within this time is released and the order cancelled. */
  reservationTtlMs: number;
}

export interface OrderSnapshot {
  state: OrderState;
  version: number;
}

export const reserveOrder = defineUpdate<OrderSnapshot>('reserve');
export const cancelOrder = defineUpdate<OrderSnapshot>('cancel');
export const orderSnapshot = defineQuery<OrderSnapshot>('state');
