/**
 * The lifecycles' own arithmetic, apart from the product's (so a check is not the code it checks): decimal strings
 * to minor units (7 dp) and back, amounts drawn from the seeded randomness, and what an escrow payout costs by the
 * Trustless Work contract's rules as docs/trustless-work.md states them (0.3% protocol fee and the order's platform
 * fee, each on the total paid out and rounded down; each recipient bears a pro-rata share of each, rounded down).
 */
const DP = 7;
const UNIT = 10n ** BigInt(DP);
const PROTOCOL_BPS = 30n;

export function minor(decimal: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,7}))?$/.exec(decimal);
  if (!m) throw new Error(`not an amount: ${JSON.stringify(decimal)}`);
  return BigInt(m[1]!) * UNIT + BigInt((m[2] ?? '').padEnd(DP, '0'));
}

/** Minor units as the API writes an amount: no trailing zeros ("12.5", "40"). */
export function decimal(units: bigint): string {
  const frac = (units % UNIT).toString().padStart(DP, '0').replace(/0+$/, '');
  return frac ? `${units / UNIT}.${frac}` : (units / UNIT).toString();
}

/** A random amount in [min, max] (decimal strings) with `dp` decimals, at least one unit of that precision. */
export function drawAmount(random: () => number, min: string, max: string, dp = DP): string {
  const step = 10n ** BigInt(DP - dp);
  const lo = minor(min) / step;
  const span = minor(max) / step - lo + 1n;
  const picked = lo + BigInt(Math.floor(random() * Number(span)));
  return decimal((picked > 0n ? picked : 1n) * step);
}

/** A share of `total` between 1% and 99% of it, in minor units with `dp` decimals. */
export function drawShare(random: () => number, total: bigint, dp = DP): bigint {
  const step = 10n ** BigInt(DP - dp);
  const share = ((total * BigInt(1 + Math.floor(random() * 99))) / 100n / step) * step;
  return share > 0n ? share : step;
}

/** "2.5" (percent) → 250 basis points. */
export function percentBps(percent: string): bigint {
  return minor(percent) / 10n ** BigInt(DP - 2);
}

export interface Payout {
  net: bigint;
  platform: bigint;
  protocol: bigint;
}

/** Each recipient's part of an escrow payout of `parts` (in order), net of its share of each fee. */
export function payouts(parts: bigint[], platformBps: bigint): Payout[] {
  const total = parts.reduce((a, b) => a + b, 0n);
  const protocolTotal = (total * PROTOCOL_BPS) / 10_000n;
  const platformTotal = (total * platformBps) / 10_000n;
  return parts.map((part) => {
    if (part === 0n) return { net: 0n, platform: 0n, protocol: 0n };
    const protocol = (part * protocolTotal) / total;
    const platform = (part * platformTotal) / total;
    return { net: part - protocol - platform, platform, protocol };
  });
}
