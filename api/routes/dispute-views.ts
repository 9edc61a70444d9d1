import { z } from 'zod';
import { findDispute, type DisputeRow } from '../../src/disputes/disputes-repository';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { formatAmount } from '../../src/money';
import type { OrderRow } from '../../src/orders/orders-repository';
import type { ApiDeps } from '../context';

export const disputeSchema = z
  .object({
    id: z.string(),
    order_id: z.string(),
    opened_by: z.enum(['BUYER', 'SELLER']),
    reason: z.string(),
    evidence: z.unknown().nullable(),
    status: z.enum(['OPEN', 'RESOLVING', 'RESOLVED']),
    assigned_to: z.string().nullable(),
    amount: z.string().nullable().meta({ description: 'The escrowed amount the resolution divides' }),
    resolution: z
      .object({
        decision: z.enum(['FULL_RELEASE', 'FULL_REFUND', 'SPLIT']),
        release_amount: z.string(),
        refund_amount: z.string(),
        note: z.string().nullable(),
        resolved_by: z.string().nullable(),
      })
      .nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    resolved_at: z.string().nullable(),
  })
  .meta({ id: 'Dispute' });

export function renderDispute(d: DisputeRow, order?: OrderRow | null): z.infer<typeof disputeSchema> {
  return {
    id: d.id,
    order_id: d.orderId,
    opened_by: d.openedBy as 'BUYER' | 'SELLER',
    reason: d.reason,
    evidence: d.evidence ?? null,
    status: d.status as z.infer<typeof disputeSchema>['status'],
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

export async function requireDisputeOf(deps: ApiDeps, id: string): Promise<DisputeRow> {
  const row = isId('dsp', id) ? await findDispute(deps.database.db, id) : null;
  if (!row) throw new AppError('DISPUTE_NOT_FOUND', 'Dispute not found', { dispute_id: id });
  return row;
}
