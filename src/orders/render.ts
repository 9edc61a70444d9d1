import { bpsToPercent } from '../escrow/fees';
import { derivedId } from '../ids';
import { formatAmount } from '../money';
import { lastError, type LastError } from './last-error';
import type { OrderStatus, SettlementSummary } from './order-state';
import { TERMINAL } from './order-state';
import type { orders } from '../db/schema';

type OrderRow = typeof orders.$inferSelect;

/** The escrow of an order, as the escrow and resolution endpoints answer, `GET /orders/{id}` embeds it and escrow.* events carry it. */
export interface EscrowView {
  escrow_id: string;
  order_id: string;
  contract_id: string | null;
  buyer_id: string;
  seller_id: string;
  amount: string;
  currency: string;
  status: string | null;
  order_status: OrderStatus;
  platform_fee_percent: string;
  released_amount: string | null;
  refunded_amount: string | null;
  fees: { platform: string; protocol: string } | null;
  settlement_tx_hash: string | null;
  released_at: string | null;
  created_at: string;
}

/** An order as `GET /orders/{id}` answers it and order.* events carry it. */
export interface OrderView {
  id: string;
  buyer_id: string;
  seller_id: string;
  amount: string;
  currency: string;
  title: string;
  description: string | null;
  client_order_ref: string | null;
  metadata: Record<string, unknown>;
  auto_release_after: number | null;
  status: OrderStatus;
  escrow: EscrowView;
  dispute_id: string | null;
  last_error: LastError | null;
  transitions: Array<{ status: string; escrow_status: string | null; at: string }>;
  created_at: string;
  updated_at: string;
}

export function escrowIdOf(orderId: string): string {
  return derivedId('esc', orderId);
}

export function renderEscrow(o: OrderRow): EscrowView {
  const s = o.settlement as SettlementSummary | null;
  const settledAt = s
    ? ((o.transitions as Array<{ status: string; at: string }>).findLast((t) => (TERMINAL as readonly string[]).includes(t.status))?.at ??
      null)
    : null;
  return {
    escrow_id: escrowIdOf(o.id),
    order_id: o.id,
    contract_id: o.contractId,
    buyer_id: o.buyerId,
    seller_id: o.sellerId,
    amount: formatAmount(o.amount),
    currency: o.currency,
    status: o.escrowStatus,
    order_status: o.status as OrderStatus,
    platform_fee_percent: bpsToPercent(BigInt(o.platformFeeBps)),
    released_amount: s ? formatAmount(BigInt(s.releasedMinor)) : null,
    refunded_amount: s ? formatAmount(BigInt(s.refundedMinor)) : null,
    fees: s ? { platform: formatAmount(BigInt(s.platformFeeMinor)), protocol: formatAmount(BigInt(s.protocolFeeMinor)) } : null,
    settlement_tx_hash: s?.txHash ?? null,
    released_at: settledAt,
    created_at: o.createdAt.toISOString(),
  };
}

export function renderOrder(o: OrderRow): OrderView {
  return {
    id: o.id,
    buyer_id: o.buyerId,
    seller_id: o.sellerId,
    amount: formatAmount(o.amount),
    currency: o.currency,
    title: o.title,
    description: o.description,
    client_order_ref: o.clientOrderRef,
    metadata: o.metadata as Record<string, unknown>,
    auto_release_after: o.autoReleaseAfterSeconds,
    status: o.status as OrderStatus,
    escrow: renderEscrow(o),
    dispute_id: o.disputeId,
    last_error: lastError(o.lastError),
    transitions: o.transitions as OrderView['transitions'],
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}
