import { formatAmount } from '../money';
import type { withdrawals } from '../db/schema';

type WithdrawalRow = typeof withdrawals.$inferSelect;

/** A withdrawal as the API shows it (also what the workflow's commit update returns). */
export interface WithdrawalView {
  id: string;
  user_id: string;
  amount: string;
  currency: string;
  destination: { type: 'stellar'; address: string; memo: { type: string; value: string } | null } | { type: 'airtm'; email: string };
  status: string;
  /**
   * An Airtm payout: its id and status at Airtm, and Airtm's reason (reasonCode is `failure_code`); once completed, the
   * wallet's payment of its USDC to the treasury (`treasury_tx_hash`) and why it has not landed yet (`last_error`).
   * Null for Stellar.
   */
  airtm_payout: {
    id: string | null;
    status: string | null;
    reason: string | null;
    treasury_tx_hash: string | null;
    last_error: string | null;
  } | null;
  tx_hash: string | null;
  failure_code: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export function renderWithdrawal(w: WithdrawalRow): WithdrawalView {
  return {
    id: w.id,
    user_id: w.userId,
    amount: formatAmount(w.amount),
    currency: w.currency,
    destination:
      w.destinationType === 'airtm'
        ? { type: 'airtm', email: w.destinationAddress }
        : {
            type: 'stellar',
            address: w.destinationAddress,
            memo: w.memo !== null && w.memoType ? { type: w.memoType, value: w.memo } : null,
          },
    status: w.status,
    airtm_payout:
      w.destinationType === 'airtm'
        ? {
            id: w.providerPayoutId,
            status: w.providerStatus,
            reason: w.failureReason,
            treasury_tx_hash: w.treasuryTxHash,
            last_error: w.lastError,
          }
        : null,
    tx_hash: w.txHash,
    failure_code: w.failureCode,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
    completed_at: w.completedAt?.toISOString() ?? null,
  };
}
