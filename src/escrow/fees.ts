/**
 * What an escrow payout costs, by the Trustless Work contract's rules (docs/trustless-work.md, "fees and dispute
 * splits"; contract `modules/fee/calculator.rs` and `modules/fee/distribution.rs`): the protocol's 0.3% and the
 * platform's fee are computed once on the total paid out, each rounded down to the stroop; when several recipients
 * share the total (a dispute's distributions), each bears a pro-rata share of each fee, rounded down, and the fee
 * accounts get the sum of the shares. A release is the case of one recipient taking the whole total. The ledger books
 * the same numbers the contract transfers on chain.
 */
export const PROTOCOL_FEE_BPS = 30n;
const BPS = 10_000n;

export interface PayoutSplit {
  /** What the recipient receives. */
  net: bigint;
  /** Platform fee (to the platform address). */
  platform: bigint;
  /** Trustless Work's fee. */
  protocol: bigint;
}

/** One recipient taking the whole `payout` (a release): fees on the payout, each rounded down. */
export function payoutFees(payout: bigint, platformFeeBps: bigint): PayoutSplit {
  return distributionFees([payout], platformFeeBps)[0]!;
}

/**
 * Each distribution's split, in the order given: the fees on the total (`calculate_standard_fees`), then each
 * recipient's pro-rata share of each fee, rounded down (`calculate_and_distribute_fees`). A zero amount bears nothing.
 */
export function distributionFees(amounts: bigint[], platformFeeBps: bigint): PayoutSplit[] {
  const total = amounts.reduce((sum, a) => sum + (a > 0n ? a : 0n), 0n);
  if (total === 0n) return amounts.map(() => ({ net: 0n, platform: 0n, protocol: 0n }));
  const protocolOnTotal = (total * PROTOCOL_FEE_BPS) / BPS;
  const platformOnTotal = (total * platformFeeBps) / BPS;
  return amounts.map((amount) => {
    if (amount <= 0n) return { net: 0n, platform: 0n, protocol: 0n };
    const protocol = (amount * protocolOnTotal) / total;
    const platform = (amount * platformOnTotal) / total;
    return { net: amount - protocol - platform, platform, protocol };
  });
}

/** `"2.5"` (percent, at most two decimals) → 250 basis points. */
export function percentToBps(percent: string): bigint {
  const m = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(percent);
  if (!m) throw new Error(`a platform fee is a percentage with at most two decimals, below 100: ${percent}`);
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** 250 basis points → `"2.5"`, as Trustless Work's `platformFee` takes it. */
export function bpsToPercent(bps: bigint): string {
  const whole = bps / 100n;
  const frac = (bps % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}
