import type { OrderCommand, OrderState } from './order-state';
import type { Actor } from '../audit/actor';
import type { AuditEntry } from '../audit/audit-repository';

/** The audit action of each request an order takes (REST steps, dispute steps, and the workflow's own timers). */
const ORDER_ACTIONS: Partial<Record<OrderCommand['kind'], string>> = {
  reserve: 'order.reserve',
  cancel: 'order.cancel',
  createEscrow: 'order.create_escrow',
  fund: 'order.fund',
  deliver: 'order.deliver',
  release: 'order.release',
  refund: 'order.refund',
  dispute: 'dispute.open',
  resolve: 'dispute.resolve',
  expireReservation: 'order.expire_reservation',
  expireOrder: 'order.expire',
};

/**
 * One transition of an order as the audit log keeps it: the request it belongs to (an in-flight step writes two, its
 * start and its outcome, both under the request's action), who asked, and the row's statuses before and after.
 */
export function orderAuditEntry(p: {
  orderId: string;
  version: number;
  state: OrderState;
  request: OrderCommand['kind'];
  by: Actor;
  before: { status: string; escrow_status: string | null };
}): AuditEntry {
  return {
    dedupeKey: `order:${p.orderId}:v${p.version}`,
    actor: p.by,
    action: ORDER_ACTIONS[p.request] ?? `order.${p.request}`,
    resourceType: 'order',
    resourceId: p.orderId,
    statusBefore: p.before.status,
    statusAfter: p.state.status,
    details: {
      version: p.version,
      escrow_status_before: p.before.escrow_status,
      escrow_status_after: p.state.escrow,
      ...(p.state.disputeId ? { dispute_id: p.state.disputeId } : {}),
      ...(p.state.lastError ? { error_code: p.state.lastError.code } : {}),
      ...(p.state.settlement ? { settlement_tx_hash: p.state.settlement.txHash } : {}),
    },
  };
}
