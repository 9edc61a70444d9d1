import type { disputes } from '../db/schema';
import { formatAmount } from '../money';

type DisputeRow = typeof disputes.$inferSelect;

/** A dispute as `GET /disputes/{id}` answers it and dispute.* events carry it. */
export interface DisputeView {
  id: string;
  order_id: string;
  opened_by: 'BUYER' | 'SELLER';
  reason: string;
  evidence: unknown;
  status: 'OPEN' | 'RESOLVING' | 'RESOLVED';
  assigned_to: string | null;
  /** The escrowed amount the resolution divides (the order's), when known. */
  amount: string | null;
  resolution: {
    decision: 'FULL_RELEASE' | 'FULL_REFUND' | 'SPLIT';
    release_amount: string;
    refund_amount: string;
    note: string | null;
    resolved_by: string | null;
  } | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}

export function renderDispute(d: DisputeRow, order?: { amount: bigint } | null): DisputeView {
  return {
    id: d.id,
    order_id: d.orderId,
    opened_by: d.openedBy as DisputeView['opened_by'],
    reason: d.reason,
    evidence: d.evidence ?? null,
    status: d.status as DisputeView['status'],
    assigned_to: d.assignedTo,
    amount: order ? formatAmount(order.amount) : null,
    resolution: d.decision
      ? {
          decision: d.decision as 'FULL_RELEASE',
          release_amount: formatAmount(d.releaseAmount ?? 0n),
          refund_amount: formatAmount(d.refundAmount ?? 0n),
          note: d.note,
          resolved_by: d.resolvedBy,
        }
      : null,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    resolved_at: d.resolvedAt?.toISOString() ?? null,
  };
}
