import { z } from 'zod';
import { findDispute, type DisputeRow } from '../../src/disputes/disputes-repository';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { renderDispute } from '../../src/disputes/render';
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

renderDispute satisfies (d: DisputeRow, order?: OrderRow | null) => z.infer<typeof disputeSchema>;
export { renderDispute };

export async function requireDisputeOf(deps: ApiDeps, id: string): Promise<DisputeRow> {
  const row = isId('dsp', id) ? await findDispute(deps.database.db, id) : null;
  if (!row) throw new AppError('DISPUTE_NOT_FOUND', 'Dispute not found', { dispute_id: id });
  return row;
}
