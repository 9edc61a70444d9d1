import { fromWireAmount } from './amounts';
import type { Roles } from './client';

/* eslint-disable @typescript-eslint/no-explicit-any -- an escrow as the indexer answers it; every field read is compared to ours */
/**
 * What differs between the indexer's escrow and ours, or null. Roles may come singular or pluralised (docs
 * v2-en/api-rest/deploy/initialize-escrow lists `approvers: string[]`): a list counts only when it is exactly our one
 * address. Amounts are compared in stroops, read exactly from the answer's number or decimal string.
 */
export function escrowDiffers(e: any, ours: { roles: Roles; amount: bigint; platformFeeBps: bigint; trustline: string }): string | null {
  const one = (v: unknown) => (Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v);
  for (const [role, address] of Object.entries(ours.roles)) {
    const theirs = one(e?.roles?.[role]) ?? one(e?.roles?.[`${role}s`]);
    if (theirs !== address) return `roles.${role}`;
  }
  if (fromWireAmount(e?.amount) !== ours.amount) return 'amount';
  // platformFee is a percent: as stroops of a percent, 2.5 → 25 000 000; ours in the same unit.
  if (fromWireAmount(e?.platformFee) !== ours.platformFeeBps * 100_000n) return 'platform fee';
  if (e?.trustline?.address !== ours.trustline) return 'trustline';
  return null;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
