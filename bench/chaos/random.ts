/**
 * Seeded randomness for a chaos run: mulberry32 (a 32-bit state, good enough to spread faults and amounts, not for
 * secrets). The same seed gives the same sequence, so a run's plan and each lifecycle's choices are reproducible.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator of its own for a part of the run (a lifecycle, a proxy), drawn from `random`. */
export function childRandom(random: Random): Random {
  return seededRandom(Math.floor(random() * 4294967296));
}

/** A whole number in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
