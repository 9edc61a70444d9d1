import type { Pool } from 'pg';
import { AppError } from '../errors';
import { userBucketTotal } from '../ledger';
import { formatAmount } from '../money';
import { listFundedEscrows } from '../orders/orders-repository';
import { fromWireAmount } from '../providers/trustless-work/amounts';
import type { TrustlessWorkClient } from '../providers/trustless-work/client';
import { TrustlessWorkRefusal } from '../providers/trustless-work/client';

export interface EscrowLine {
  order_id: string;
  contract_id: string;
  /** What the ledger says the contract holds: the order's amount while its escrow is funded or disputed. */
  ledger: string;
  /** The contract's balance as Trustless Work reads it on chain (null when it does not know the contract). */
  on_chain: string | null;
  drift: string;
}

export interface EscrowReport {
  checked_at: string;
  escrows: number;
  totals: {
    ledger: string;
    on_chain: string;
    drift: string;
    /** The users' `escrow` buckets on the ledger, which must equal the ledger column's total. */
    escrow_buckets: string;
  };
  /** Only the escrows that drift. */
  drifted: EscrowLine[];
}

const CHUNK = 50;

/**
 * Compares every funded or disputed escrow's contract balance (read on chain through Trustless Work) with the order's
 * amount, and the ledger's escrow buckets with those amounts. An order between two steps (a settlement paid on chain
 * and not yet booked) shows as transient drift.
 */
export async function reconcileEscrows(pool: Pool, tw: TrustlessWorkClient, opts: { orderIds?: string[] } = {}): Promise<EscrowReport> {
  const rows = await listFundedEscrows(pool, opts.orderIds);
  const escrowBuckets = await userBucketTotal(pool, 'escrow', 'USD');
  const balances = new Map<string, bigint>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const ids = rows.slice(i, i + CHUNK).map((r) => r.contract_id);
    let escrows: unknown[];
    try {
      escrows = await tw.getEscrows(ids, { validateOnChain: true });
    } catch (err) {
      throw new AppError('PROVIDER_ERROR', 'Trustless Work could not be asked for escrow balances', {
        provider: 'trustless_work',
        status: err instanceof TrustlessWorkRefusal ? err.status : null,
      });
    }
    for (const e of escrows as Array<{ contractId?: string; balance?: number | string }>) {
      if (!e.contractId || e.balance === undefined) continue;
      const balance = fromWireAmount(e.balance);
      if (balance === null || balance < 0n)
        throw new AppError('PROVIDER_ERROR', `Trustless Work answered a balance that is not an amount for ${e.contractId}`, {
          provider: 'trustless_work',
          contract_id: e.contractId,
        });
      balances.set(e.contractId, balance);
    }
  }
  const lines: EscrowLine[] = rows.map((r) => {
    const ledger = BigInt(r.amount);
    const chain = balances.get(r.contract_id) ?? null;
    return {
      order_id: r.id,
      contract_id: r.contract_id,
      ledger: formatAmount(ledger),
      on_chain: chain === null ? null : formatAmount(chain),
      drift: formatAmount((chain ?? 0n) - ledger),
    };
  });
  const totalLedger = rows.reduce((t, r) => t + BigInt(r.amount), 0n);
  const totalChain = [...balances.values()].reduce((t, b) => t + b, 0n);
  return {
    checked_at: new Date().toISOString(),
    escrows: rows.length,
    totals: {
      ledger: formatAmount(totalLedger),
      on_chain: formatAmount(totalChain),
      drift: formatAmount(totalChain - totalLedger),
      escrow_buckets: formatAmount(escrowBuckets),
    },
    drifted: lines.filter((l) => l.drift !== '0'),
  };
}
