import type { Pool } from 'pg';
import type { Actor } from '../audit/actor';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { AirtmRefusal, type AirtmClient } from '../providers/airtm/client';
import type { Payout, PayoutStatus } from '../providers/airtm/types';
import { settleAirtmWithdrawal } from './payouts-repository';
import {
  findWithdrawal,
  isFinalWithdrawal,
  setWithdrawalStatus,
  type WithdrawalRow,
  type WithdrawalStatus,
} from './withdrawals-repository';

export interface AirtmPayoutDeps {
  db: Db;
  pool: Pool;
  airtm: AirtmClient;
}

/** "Payout not found" (#/info/description "# Reason Codes"). */
const PAYOUT_NOT_FOUND = '415005';
/** "Payout already processed": a commit Airtm already has. */
const ALREADY_PROCESSED = '415027';
/** "Cannot cancel non-pending payout". */
const CANNOT_CANCEL = '415055';

/**
 * Airtm statuses in which the recipient must act (sign up, pass KYC, set up a payment method; PayoutStatus description):
 * shown as WITHDRAWAL_AWAITING_RECIPIENT and followed. Final are only COMPLETED, CANCELED and FAILED (FAQ "Payout
 * Statuses"); any other status (COMMITTED, PROCESSING, ERROR, BRIDGE_*, …) keeps the payout followed as
 * WITHDRAWAL_PENDING with Airtm's status shown: money is never returned on a status Airtm does not call final.
 */
const RECIPIENT_STATUSES: readonly PayoutStatus[] = ['PENDING', 'PENDING_USER_ACTION', 'BRIDGE_USER_SIGNUP_PENDING'];

/** Statuses a payout may still be cancelled in (DELETE /payouts/{id}: CREATED or PENDING only). */
export const CANCELLABLE: readonly WithdrawalStatus[] = ['WITHDRAWAL_AWAITING_COMMIT', 'WITHDRAWAL_AWAITING_RECIPIENT'];

async function mustFind(db: Db, id: string): Promise<WithdrawalRow> {
  const w = await findWithdrawal(db, id);
  if (!w || w.destinationType !== 'airtm') throw new Error(`Airtm withdrawal ${id} does not exist`);
  return w;
}

/** Records what Airtm says of the payout: settles it when final, else shows its status (a row unchanged is left alone). */
export async function applyPayout(deps: AirtmPayoutDeps, w: WithdrawalRow, p: Payout, by?: Actor): Promise<WithdrawalRow> {
  const change = { providerPayoutId: p.id, providerStatus: p.status, failureReason: p.reasonDescription ?? null, by };
  if (p.status === 'COMPLETED') return settleAirtmWithdrawal(deps.pool, w.id, 'WITHDRAWAL_COMPLETED', change);
  if (p.status === 'FAILED')
    return settleAirtmWithdrawal(deps.pool, w.id, 'WITHDRAWAL_FAILED', { ...change, failureCode: p.reasonCode ?? 'FAILED' });
  if (p.status === 'CANCELED')
    return settleAirtmWithdrawal(deps.pool, w.id, 'WITHDRAWAL_CANCELED', { ...change, failureCode: p.reasonCode });
  if (isFinalWithdrawal(w.status)) return w;
  const status: WithdrawalStatus =
    p.status === 'CREATED'
      ? 'WITHDRAWAL_AWAITING_COMMIT'
      : RECIPIENT_STATUSES.includes(p.status)
        ? 'WITHDRAWAL_AWAITING_RECIPIENT'
        : 'WITHDRAWAL_PENDING';
  const same =
    status === w.status && p.status === w.providerStatus && p.id === w.providerPayoutId && change.failureReason === w.failureReason;
  return same ? w : setWithdrawalStatus(deps.db, w.id, status, change);
}

/** The payout created under our code (the withdrawal id), or null when Airtm has none. */
async function payoutByCode(airtm: AirtmClient, code: string): Promise<Payout | null> {
  try {
    return await airtm.getPayoutByCode(code);
  } catch (err) {
    if (err instanceof AirtmRefusal && err.code === PAYOUT_NOT_FOUND) return null;
    throw err;
  }
}

/**
 * Creates the withdrawal's payout at Airtm (code: the withdrawal id; committed at once when `commit`), once. A refusal
 * ends the withdrawal WITHDRAWAL_FAILED with Airtm's reason code and the hold back, but only after Airtm says it has no
 * payout under our code: a creation whose answer was lost (a timeout, then 415056 "code already exists" on the retry)
 * or unreadable is found and followed, never paid twice.
 */
export async function createAirtmPayout(deps: AirtmPayoutDeps, withdrawalId: string, commit: boolean): Promise<WithdrawalRow> {
  const w = await mustFind(deps.db, withdrawalId);
  if (w.providerPayoutId || isFinalWithdrawal(w.status)) return w;
  let payout: Payout | null;
  try {
    payout = await deps.airtm.createPayout({
      airtmUserEmail: w.destinationAddress,
      amount: w.amount,
      notes: `Withdrawal ${w.id}`,
      code: w.id,
      commit,
    });
  } catch (err) {
    // Refused before anything was sent (an amount Airtm cannot take): final, the hold back.
    if (err instanceof AppError && err.status < 500)
      return settleAirtmWithdrawal(deps.pool, w.id, 'WITHDRAWAL_FAILED', {
        failureCode: err.code,
        failureReason: err.message,
        providerStatus: 'REFUSED',
      });
    if (!(err instanceof AirtmRefusal)) throw err;
    payout = await payoutByCode(deps.airtm, w.id);
    if (!payout)
      return settleAirtmWithdrawal(deps.pool, w.id, 'WITHDRAWAL_FAILED', {
        failureCode: err.code ?? `http_${err.status}`,
        failureReason: err.message,
        providerStatus: 'REFUSED',
      });
  }
  return applyPayout(deps, w, payout);
}

/**
 * Sends an uncommitted payout (POST /payouts/{id}/commit), recorded as the caller's `withdrawal.commit`, then reads
 * where Airtm has it (completed at once, waiting for its recipient, …). A payout already committed is answered as it
 * is. Airtm refusing the commit for another reason is a PROVIDER_ERROR and leaves it uncommitted (retry, or cancel).
 */
export async function commitAirtmPayout(deps: AirtmPayoutDeps, withdrawalId: string, by?: Actor): Promise<WithdrawalRow> {
  const w = await mustFind(deps.db, withdrawalId);
  if (w.status !== 'WITHDRAWAL_AWAITING_COMMIT') return w;
  try {
    await deps.airtm.commitPayout(w.providerPayoutId!);
  } catch (err) {
    if (!(err instanceof AirtmRefusal)) throw err;
    if (err.code !== ALREADY_PROCESSED)
      throw new AppError('PROVIDER_ERROR', `Airtm refused the commit: ${err.message}`, { provider: 'airtm', reason_code: err.code });
  }
  const committed = await setWithdrawalStatus(deps.db, w.id, 'WITHDRAWAL_PENDING', {
    providerStatus: 'COMMITTED',
    by,
    action: 'withdrawal.commit',
  });
  return applyPayout(deps, committed, await deps.airtm.getPayout(w.providerPayoutId!));
}

/**
 * Cancels a payout Airtm still holds (DELETE /payouts/{id}: uncommitted, or waiting for its recipient): the hold goes
 * back, recorded as the caller's `withdrawal.cancel`. One already cancelled is answered as it is; any other is 409
 * INVALID_STATE (Airtm answering that it can no longer be cancelled records where it is first).
 */
export async function cancelAirtmPayout(deps: AirtmPayoutDeps, withdrawalId: string, by?: Actor): Promise<WithdrawalRow> {
  const w = await mustFind(deps.db, withdrawalId);
  if (w.status === 'WITHDRAWAL_CANCELED') return w;
  if (!CANCELLABLE.includes(w.status) || !w.providerPayoutId) throw notCancellable(w);
  try {
    return await applyPayout(deps, w, await deps.airtm.cancelPayout(w.providerPayoutId), by);
  } catch (err) {
    if (!(err instanceof AirtmRefusal && err.code === CANNOT_CANCEL)) throw err;
    throw notCancellable(await applyPayout(deps, w, await deps.airtm.getPayout(w.providerPayoutId)));
  }
}

function notCancellable(w: WithdrawalRow): AppError {
  return new AppError('INVALID_STATE', `A withdrawal in ${w.status} cannot be cancelled`, {
    withdrawal_id: w.id,
    current_status: w.status,
    cancellable: CANCELLABLE,
  });
}

/** Asks Airtm where the payout is and records it; a settled withdrawal is answered without asking. */
export async function checkAirtmPayout(deps: AirtmPayoutDeps, withdrawalId: string): Promise<WithdrawalRow> {
  const w = await mustFind(deps.db, withdrawalId);
  if (isFinalWithdrawal(w.status) || !w.providerPayoutId) return w;
  return applyPayout(deps, w, await deps.airtm.getPayout(w.providerPayoutId));
}
