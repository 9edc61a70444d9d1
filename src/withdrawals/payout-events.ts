import { isId } from '../ids';

/**
 * The withdrawal an Airtm payout webhook (`payout.*`, body `{type, data}`) is about: every payout this platform creates
 * carries its withdrawal id as its `code` (src/withdrawals/airtm-payouts.ts createAirtmPayout), so the event's
 * workflow is `airtmPayoutWorkflowId(withdrawalId)`. Null for a payout without such a code (not ours: keep it for
 * reconciliation).
 */
export function withdrawalIdOfPayoutEvent(data: unknown): string | null {
  const code = typeof data === 'object' && data !== null ? (data as { code?: unknown }).code : undefined;
  return typeof code === 'string' && isId('wd', code) ? code : null;
}
