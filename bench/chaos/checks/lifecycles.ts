import type { CheckResult, LifecycleResult } from '../types';
import { checkResult, countBy } from './result';

/**
 * Every lifecycle ended well: it says so, and the state it reached is the one it should reach. Figures: by kind,
 * `ok/total`, and how many did not end well.
 */
export function checkLifecycles(results: readonly LifecycleResult[]): CheckResult {
  const bad = (r: LifecycleResult) => !r.ok || r.actual !== r.expected;
  const breaches = results
    .filter(bad)
    .map(
      (r) =>
        `${r.kind} ${r.id}: expected ${r.expected}, reached ${r.actual}${r.error ? ` (${r.error})` : ''}${r.ok ? ' though it said ok' : ''}`,
    );
  const totals = countBy(results, (r) => r.kind);
  const good = countBy(
    results.filter((r) => !bad(r)),
    (r) => r.kind,
  );
  const figures: CheckResult['figures'] = { lifecycles: results.length, not_ok: breaches.length };
  for (const [kind, n] of totals) figures[kind] = `${good.get(kind) ?? 0}/${n}`;
  if (results.length === 0) breaches.push('no lifecycle ran');
  return checkResult('lifecycles', figures, breaches);
}
