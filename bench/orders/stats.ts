/** What a phase of the orders bench measured, and its summary statistics. */

/** One phase (orders or baseline) of one round: client-side latencies in ms by call type, and the phase's wall time. */
export interface PhaseResult {
  /** Lifecycles (or baseline workflows) that ran. */
  count: number;
  wallMs: number;
  calls: Record<string, number[]>;
  /** One line per failed call (method, path or step, status, body); any makes the run fail. */
  errors: string[];
}

export interface Summary {
  calls: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (the same definition as bench/api). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  return n ? sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] : NaN;
}

export function summarise(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  return {
    calls: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** The rounds of one phase pooled: total count and wall time, and every call type's latencies together. */
export function pool(rounds: PhaseResult[]): PhaseResult {
  const calls: Record<string, number[]> = {};
  for (const r of rounds) for (const [name, values] of Object.entries(r.calls)) (calls[name] ??= []).push(...values);
  return {
    count: rounds.reduce((n, r) => n + r.count, 0),
    wallMs: rounds.reduce((n, r) => n + r.wallMs, 0),
    calls,
    errors: rounds.flatMap((r) => r.errors),
  };
}

/** Times one call, recording its latency under `name` when it succeeds (failures are reported, not timed). */
export async function timed<T>(calls: Record<string, number[]>, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  (calls[name] ??= []).push(performance.now() - t0);
  return out;
}
