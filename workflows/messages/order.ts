import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../src/audit/actor';
import type { OrderState } from '../../src/orders/order-state';
import type { ResolveCommand } from '../../src/orders/resolution';

export type { ResolveCommand };

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
  /** The platform's fee on escrow payouts, fixed at creation (basis points). */
  platformFeeBps?: number;
  /** Released automatically this long after delivery unless a dispute is opened first. */
  autoReleaseAfterMs?: number | null;
  /** The id a dispute on this order gets (an escrow can be disputed once). */
  disputeId?: string;
  /** An order never reserved within this time ends CANCELLED (absent in orders started before it existed). */
  createdTtlMs?: number;
  /** How long an escrow step is retried through transient faults before the order shows the failure. */
  escrowStepTimeoutMs?: number;
}

export interface OrderSnapshot {
  state: OrderState;
  version: number;
}

export interface DeliverCommand {
  evidence?: string;
}

export interface DisputeCommand {
  /** Set by the API (the order's derived `dsp_` id); the workflow prefers the one it was started with. */
  dispute_id?: string;
  opened_by: 'BUYER' | 'SELLER';
  reason: string;
  evidence?: string;
}

export const reserveOrder = defineUpdate<OrderSnapshot>('reserve');
export const cancelOrder = defineUpdate<OrderSnapshot>('cancel');
export const createEscrow = defineUpdate<OrderSnapshot>('createEscrow');
export const fundEscrow = defineUpdate<OrderSnapshot>('fund');
export const deliverOrder = defineUpdate<OrderSnapshot, [DeliverCommand]>('deliver');
export const releaseOrder = defineUpdate<OrderSnapshot>('release');
export const refundOrder = defineUpdate<OrderSnapshot>('refund');
export const disputeOrder = defineUpdate<OrderSnapshot, [DisputeCommand]>('dispute');
export const resolveOrder = defineUpdate<OrderSnapshot, [ResolveCommand]>('resolve');

/**
 * The same update with who asked appended (`by`: the API key and request id), recorded in the audit log with each
 * transition the request causes. The API always sends it; handlers accept it absent (updates recorded before the audit
 * log, or sent by hand), so the plain definitions above stay valid.
 */
export function asActor<A extends unknown[]>(update: UpdateDefinition<OrderSnapshot, A>): UpdateDefinition<OrderSnapshot, [...A, Actor]> {
  return update as unknown as UpdateDefinition<OrderSnapshot, [...A, Actor]>;
}
/** The same resolution as a signal, for support staff in the Temporal UI or CLI; an invalid one is recorded and ignored. */
export const resolveSignal = defineSignal<[ResolveCommand]>('resolve');
export const orderSnapshot = defineQuery<OrderSnapshot>('state');
