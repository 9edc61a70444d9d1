import type { topups } from '../db/schema';
import { formatAmount } from '../money';

type TopupRow = typeof topups.$inferSelect;

/** A top-up as the API shows it (also what the workflow's updates answer and the `topup.*` events carry). */
export interface TopupView {
  id: string;
  user_id: string;
  amount: string;
  currency: string;
  status: string;
  confirmation_url: string | null;
  airtm_payin_id: string | null;
  payer_email: string | null;
  failure_reason: string | null;
  /** The treasury's USDC payment into the user's wallet (null until made): what backs the credit on chain. */
  delivery_tx_hash: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export function renderTopup(t: TopupRow): TopupView {
  return {
    id: t.id,
    user_id: t.userId,
    amount: formatAmount(t.amount),
    currency: t.currency,
    status: t.status,
    confirmation_url: t.confirmationUrl,
    airtm_payin_id: t.payinId,
    payer_email: t.payerEmail,
    failure_reason: t.failureReason,
    delivery_tx_hash: t.deliveryTxHash,
    expires_at: t.expiresAt.toISOString(),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    completed_at: t.completedAt?.toISOString() ?? null,
  };
}
