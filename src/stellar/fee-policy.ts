import type { FeeBumpTransaction, Horizon, Transaction } from '@stellar/stellar-sdk';
import { withTimeout } from '../async';

/** How long one answer of `/fee_stats` is used (a ledger closes every ~5 s; the stats cover the last 5 ledgers). */
const CACHE_MS = 3000;

/** The network asks more per operation than the platform is configured to pay: retry later, or raise the cap. */
export class FeeAboveCapError extends Error {
  override name = 'FeeAboveCapError';
}

/**
 * What the platform bids per operation, from Horizon's `GET /fee_stats` (stellar/go protocols/horizon FeeStats: every
 * number a string, `fee_charged` and `max_fee` per operation over the last 5 ledgers, `last_ledger_base_fee`).
 *
 * The bid is the 70th percentile of `fee_charged`, never below the last ledger's base fee, never above `maxFee`.
 * p70 of what was actually charged (not of `max_fee`, which is what others were willing to pay) gets a transaction
 * into all but the most contested ledgers while paying only what the network currently takes; since stellar-core
 * charges the lowest bid that made it into the ledger, bidding a bit above the median costs nothing when the network
 * is calm. A network whose base fee is above the cap throws FeeAboveCapError (transient) instead of being paid.
 */
export class FeePolicy {
  private cached: { at: number; perOp: number; baseFee: number } | null = null;

  constructor(
    private readonly horizon: Horizon.Server,
    readonly maxFee: number,
    private readonly timeoutMs: number,
  ) {}

  /** The bid per operation, as the SDK's `fee` / fee-bump `baseFee` takes it. */
  async perOperation(): Promise<string> {
    const stats = await this.stats();
    if (stats.baseFee > this.maxFee) {
      throw new FeeAboveCapError(`the network's base fee ${stats.baseFee} is above STELLAR_MAX_FEE_STROOPS ${this.maxFee}`);
    }
    return String(Math.min(stats.perOp, this.maxFee));
  }

  /**
   * The fee-bump bid around `inner`: the policy's, but never below the inner transaction's own inclusion rate (the
   * SDK and stellar-core both refuse a fee bump that bids less per operation than the transaction it wraps).
   */
  async feeBumpPerOperation(inner: Transaction): Promise<string> {
    const policy = Number(await this.perOperation());
    return String(Math.max(policy, innerRate(inner)));
  }

  /** Forgets the cached stats (after the network refused a fee as insufficient). */
  invalidate(): void {
    this.cached = null;
  }

  private async stats(): Promise<{ perOp: number; baseFee: number }> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached;
    const answer = await withTimeout(this.horizon.feeStats(), this.timeoutMs, 'fee stats');
    const baseFee = Number(answer.last_ledger_base_fee);
    const p70 = Number(answer.fee_charged.p70);
    if (!Number.isSafeInteger(baseFee) || baseFee <= 0 || !Number.isSafeInteger(p70)) {
      throw new Error(`Horizon's fee stats are not usable: base fee "${answer.last_ledger_base_fee}", p70 "${answer.fee_charged.p70}"`);
    }
    this.cached = { at: Date.now(), perOp: Math.max(p70, baseFee), baseFee };
    return this.cached;
  }
}

/** The inclusion fee per operation the inner transaction bids (its Soroban resource fee excluded). */
export function innerRate(inner: Transaction): number {
  return Math.ceil((Number(inner.fee) - resourceFee(inner)) / Math.max(1, inner.operations.length));
}

/** What a fee bump around `inner` bids per operation (the SDK's `baseFee`): its fee less the Soroban resource fee. */
export function feeBumpRate(bump: FeeBumpTransaction): number {
  const inner = bump.innerTransaction;
  return Math.floor((Number(bump.fee) - resourceFee(inner)) / (inner.operations.length + 1));
}

/** A Soroban transaction's resource fee (part of its fee, not bid for inclusion); 0 for a classic one. */
function resourceFee(tx: Transaction): number {
  const ext = tx.toEnvelope().v1().tx().ext();
  return ext.switch() === 1 ? Number(ext.sorobanData().resourceFee().toString()) : 0;
}
