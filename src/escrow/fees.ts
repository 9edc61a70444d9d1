/**
 * What an escrow payout costs, by Trustless Work's rules: every payout out of the contract (a release, or each
 * distribution of a dispute's resolution) pays the protocol's 0.3% and the platform's fee, each rounded down to
 * the stroop; the recipient gets the rest. The ledger books the same numbers the contract pays on chain.
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

export function payoutFees(payout: bigint, platformFeeBps: bigint): PayoutSplit {
  if (payout <= 0n) return { net: 0n, platform: 0n, protocol: 0n };
  const protocol = (payout * PROTOCOL_FEE_BPS) / BPS;
  const platform = (payout * platformFeeBps) / BPS;
  return { net: payout - protocol - platform, platform, protocol };
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
