/**
 * A dispute's resolution as support states it (through REST or as a signal typed into the Temporal UI), checked
 * against the escrowed amount. Pure and deterministic: the workflow validates with it before anything is written.
 */
import type { Decision } from './order-state';

export const DECISIONS: readonly Decision[] = ['FULL_RELEASE', 'FULL_REFUND', 'SPLIT'];

export interface ResolveCommand {
  decision: Decision;
  /** Decimal strings, as at the API ("60.5"). */
  release_amount?: string;
  refund_amount?: string;
  note: string;
  /** Who decided (an API key id, or an operator's name when signalled). */
  resolved_by?: string;
}

export interface ResolutionAmounts {
  releaseMinor: bigint;
  refundMinor: bigint;
}

/** Why a resolution cannot be accepted, with the field at fault. */
export class ResolutionProblem {
  constructor(
    readonly message: string,
    readonly details: Record<string, unknown>,
  ) {}
}

const DECIMAL = /^\d{1,12}(\.\d{1,7})?$/;

function minor(value: string): bigint {
  const [whole, frac = ''] = value.split('.');
  return BigInt(whole) * 10_000_000n + BigInt(frac.padEnd(7, '0'));
}

/** The amounts each party gets, or the problem: they must add up exactly to the escrowed amount. */
export function resolutionAmounts(input: unknown, escrowedMinor: bigint): ResolutionAmounts | ResolutionProblem {
  if (typeof input !== 'object' || input === null)
    return new ResolutionProblem('a resolution is an object {decision, release_amount?, refund_amount?, note}', {});
  const cmd = input as Partial<ResolveCommand>;
  if (!DECISIONS.includes(cmd.decision as Decision))
    return new ResolutionProblem(`decision must be one of ${DECISIONS.join(', ')}`, { field: 'decision' });
  if (typeof cmd.note !== 'string' || cmd.note.trim() === '') return new ResolutionProblem('note is required', { field: 'note' });
  for (const field of ['release_amount', 'refund_amount'] as const) {
    const v = cmd[field];
    if (v !== undefined && (typeof v !== 'string' || !DECIMAL.test(v)))
      return new ResolutionProblem(`${field} must be a decimal string with at most 7 decimals`, { field });
  }
  const release = cmd.release_amount === undefined ? undefined : minor(cmd.release_amount);
  const refund = cmd.refund_amount === undefined ? undefined : minor(cmd.refund_amount);
  let amounts: ResolutionAmounts;
  if (cmd.decision === 'FULL_RELEASE') amounts = { releaseMinor: release ?? escrowedMinor, refundMinor: refund ?? 0n };
  else if (cmd.decision === 'FULL_REFUND') amounts = { releaseMinor: release ?? 0n, refundMinor: refund ?? escrowedMinor };
  else {
    if (release === undefined || refund === undefined)
      return new ResolutionProblem('a SPLIT needs release_amount and refund_amount', {
        field: release === undefined ? 'release_amount' : 'refund_amount',
      });
    if (release === 0n || refund === 0n)
      return new ResolutionProblem('a SPLIT pays both parties: use FULL_RELEASE or FULL_REFUND otherwise', {
        field: release === 0n ? 'release_amount' : 'refund_amount',
      });
    amounts = { releaseMinor: release, refundMinor: refund };
  }
  if (cmd.decision === 'FULL_RELEASE' && amounts.refundMinor !== 0n)
    return new ResolutionProblem('FULL_RELEASE refunds nothing', { field: 'refund_amount' });
  if (cmd.decision === 'FULL_REFUND' && amounts.releaseMinor !== 0n)
    return new ResolutionProblem('FULL_REFUND releases nothing', { field: 'release_amount' });
  if (amounts.releaseMinor + amounts.refundMinor !== escrowedMinor) {
    return new ResolutionProblem('release_amount and refund_amount must add up to the escrowed amount', {
      field: 'release_amount',
      escrowed_minor: escrowedMinor.toString(),
      release_minor: amounts.releaseMinor.toString(),
      refund_minor: amounts.refundMinor.toString(),
    });
  }
  return amounts;
}
