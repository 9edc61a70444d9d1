/**
 * Public event ids: `evt_` + the row's id (bigserial, in commit order) zero-padded to a fixed width, so the ids of a
 * stream sort as strings in the same order as the numbers. The one place that converts between the two.
 */
const WIDTH = 16;
const PATTERN = /^evt_(\d{16})$/;

export function formatEventId(id: bigint): string {
  return `evt_${id.toString().padStart(WIDTH, '0')}`;
}

/** The row id an `evt_…` id names, or null when the string is not one. */
export function parseEventId(value: string): bigint | null {
  const match = PATTERN.exec(value);
  return match ? BigInt(match[1]) : null;
}
