/** PLACEHOLDER (replaced at merge by the checks' own files). */
import type { CheckContext, CheckResult } from '../types';

export async function runChecks(_ctx: CheckContext): Promise<CheckResult[]> {
  return [];
}
