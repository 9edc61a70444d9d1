/**
 * Which events a consumer asked for: exact types (`deposit.credited`) and prefix wildcards (`order.*` is every type
 * starting with `order.`). The SQL reader (events-repository) and the in-memory fan-out (event-feed) both use this.
 */
export interface EventFilter {
  /** Absent: every type. */
  types?: TypePatterns;
  resourceType?: string;
  resourceId?: string;
}

export interface TypePatterns {
  exact: string[];
  /** Each ends with the dot: `order.` for `order.*`. */
  prefixes: string[];
}

export function parseTypePatterns(patterns: string[]): TypePatterns {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('.*')) prefixes.push(p.slice(0, -1));
    else exact.push(p);
  }
  return { exact, prefixes };
}

export function matchesFilter(f: EventFilter, e: { type: string; resource: { type: string; id: string } }): boolean {
  if (f.resourceType !== undefined && e.resource.type !== f.resourceType) return false;
  if (f.resourceId !== undefined && e.resource.id !== f.resourceId) return false;
  if (f.types === undefined) return true;
  return f.types.exact.includes(e.type) || f.types.prefixes.some((p) => e.type.startsWith(p));
}
