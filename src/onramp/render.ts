import type { onrampOrders, onrampProofAttempts } from '../db/schema';
import { formatAmount } from '../money';

export type OnrampOrderRow = typeof onrampOrders.$inferSelect;
export type ProofAttemptRow = typeof onrampProofAttempts.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An on-ramp order as document 003 shows it (camelCase), plus why a stuck order is stuck (`lastError`). */
export function renderOnrampOrder(o: OnrampOrderRow) {
  return {
    id: o.id,
    sessionId: o.sessionId,
    merchantId: o.merchantId,
    buyerId: o.buyerId,
    status: o.status,
    intentHash: o.intentHash,
    signalTx: o.signalTx,
    fulfillTx: o.fulfillTx,
    returnTx: o.returnTx,
    balanceId: o.balanceId,
    paymentPlatform: o.paymentPlatform,
    fiatCurrency: o.fiatCurrency,
    amountUsdc: formatAmount(o.amount),
    conversionRate: o.conversionRate,
    recipient: o.recipient,
    quote: { fiatAmount: o.fiatAmount, tokenAmount: o.amount.toString(), payeeAddress: o.recipient },
    lastError: o.lastErrorCode ? { code: o.lastErrorCode, message: o.lastErrorMessage ?? '' } : null,
    expiresAt: o.expiresAt.toISOString(),
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
export type OnrampOrderView = ReturnType<typeof renderOnrampOrder>;

/** One proof attempt as document 003 lists them (GET /onramp/orders/{id}/proof-attempts). */
export function renderProofAttempt(a: ProofAttemptRow) {
  return {
    id: a.id,
    orderId: a.orderId,
    intentHash: a.intentHash,
    status: a.status,
    submittedAt: a.submittedAt.toISOString(),
    verifiedAt: iso(a.verifiedAt),
    verificationError: a.verificationError,
    verificationMessage: a.verificationMessage,
    txHash: a.txHash,
    txConfirmedAt: iso(a.txConfirmedAt),
  };
}
export type ProofAttemptView = ReturnType<typeof renderProofAttempt>;
