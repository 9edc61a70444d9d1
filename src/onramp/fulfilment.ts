import type { Pool } from 'pg';
import type { Actor } from '../audit/actor';
import { onClient, withTransaction } from '../db/client';
import { announceBalances } from '../events/balance-events';
import { credit } from '../ledger';
import { submitFulfil } from './chain';
import { findProofAttempt, insertProofAttempt, proofAlreadyAccepted, settleProofAttempt, transitionOnrampOrder } from './onramp-repository';
import { buyerKeypair, codeLine, move, mustOrder, noting, type OnrampDeps } from './onramp-steps';
import { AWAITING_PROOF, type OnrampErrorCode } from './onramp-state';
import type { ProofVerdict } from './proof';
import { claimedIdentifier } from './proof-port';
import {
  renderOnrampOrder,
  renderProofAttempt,
  type OnrampOrderRow,
  type OnrampOrderView,
  type ProofAttemptRow,
  type ProofAttemptView,
} from './render';

/** Fulfilment: a proof verified and recorded, the claim into the buyer's wallet, the one credit of the buyer's balance. */

export type FulfilResult =
  | { outcome: 'FULFILLED'; order: OnrampOrderView; attempt: ProofAttemptView }
  | { outcome: 'REJECTED'; order: OnrampOrderView; attempt: ProofAttemptView; code: OnrampErrorCode; message: string }
  | { outcome: 'FAILED'; order: OnrampOrderView; attempt: ProofAttemptView; code: OnrampErrorCode; message: string };

export interface FulfilRequest {
  orderId: string;
  attemptId: string;
  proof: unknown;
  by: Actor;
}

async function reject(deps: OnrampDeps, o: OnrampOrderRow, r: FulfilRequest, code: 'PROOF_INVALID' | 'PROOF_EXPIRED', message: string) {
  const attempt = await insertProofAttempt(deps.db, {
    id: r.attemptId,
    orderId: o.id,
    intentHash: o.intentHash,
    proofIdentifier: claimedIdentifier(r.proof),
    status: 'REJECTED',
    verificationError: code,
    verificationMessage: message,
  });
  return { outcome: 'REJECTED' as const, order: renderOnrampOrder(o), attempt: renderProofAttempt(attempt), code, message };
}

function rejected(o: OnrampOrderRow, a: ProofAttemptRow): FulfilResult {
  const code = a.verificationError === 'PROOF_EXPIRED' ? 'PROOF_EXPIRED' : 'PROOF_INVALID';
  return { outcome: 'REJECTED', order: renderOnrampOrder(o), attempt: renderProofAttempt(a), code, message: a.verificationMessage ?? '' };
}

/** Checks the proof against the order and records the attempt: VERIFIED (null returned), or REJECTED (its result). */
async function verifyAndRecord(deps: OnrampDeps, o: OnrampOrderRow, r: FulfilRequest): Promise<FulfilResult | null> {
  const claimed = claimedIdentifier(r.proof);
  if (claimed && (await proofAlreadyAccepted(deps.db, claimed))) return reject(deps, o, r, 'PROOF_INVALID', 'This proof was already used');
  let verdict: ProofVerdict;
  try {
    verdict = deps.verifyProof(r.proof, {
      intentHash: o.intentHash,
      minFiatAmount: o.fiatAmount,
      fiatCurrency: o.fiatCurrency,
      recipient: o.recipient,
      signalledAt: o.signalledAt ?? o.createdAt,
      now: new Date(),
      ...deps.policy,
    });
  } catch {
    verdict = { ok: false, code: 'PROOF_INVALID', reason: 'The proof is malformed' };
  }
  if (!verdict.ok) return reject(deps, o, r, verdict.code, verdict.reason);
  try {
    await insertProofAttempt(deps.db, {
      id: r.attemptId,
      orderId: o.id,
      intentHash: o.intentHash,
      proofIdentifier: verdict.proofId,
      paymentId: `${o.paymentPlatform}:${verdict.paymentId}`,
      status: 'VERIFIED',
      paidAmount: verdict.paidAmount,
      paidAt: verdict.paidAt,
      verifiedAt: new Date(),
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return reject(deps, o, r, 'PROOF_INVALID', 'This proof (or the payment it proves) was already used');
  }
  return null;
}

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string; cause?: { code?: string } }).code === '23505' || (err as { cause?: { code?: string } }).cause?.code === '23505';

/**
 * Verifies the proof against the order (recording the attempt whatever its outcome) and, when it holds, claims the
 * balance into the buyer's wallet and credits the buyer's marketplace balance once, in the transaction that marks
 * the order FULFILLED. A rejected proof leaves the order as it was (003: PROOF_INVALID and PROOF_EXPIRED may be
 * retried with a new proof); a reverted claim fails the order (FULFILL_REVERTED, not retryable).
 */
export async function fulfil(deps: OnrampDeps, r: FulfilRequest): Promise<FulfilResult> {
  let o = await mustOrder(deps.db, r.orderId);
  if (AWAITING_PROOF.has(o.status as never)) {
    // A retried step finds its own attempt: verified before a crash, it is not verified (nor refused as reused) again.
    const recorded = await findProofAttempt(deps.db, r.attemptId);
    if (recorded?.status === 'REJECTED') return rejected(o, recorded);
    if (!recorded) {
      const refusal = await verifyAndRecord(deps, o, r);
      if (refusal) return refusal;
    }
    o = await move(deps.db, o.id, { status: 'PROOF_VERIFIED', lastError: null }, r.by);
    // On Stellar the proof goes on chain inside the claim: its identifier's digest is the claim's memo.
    o = await move(deps.db, o.id, { status: 'PROOF_SUBMITTED' }, r.by);
  }
  const attempt = await findProofAttempt(deps.db, r.attemptId);
  if (o.status === 'FULFILLED' && attempt)
    return { outcome: 'FULFILLED', order: renderOnrampOrder(o), attempt: renderProofAttempt(attempt) };
  if (!attempt || attempt.status !== 'VERIFIED' || !['PROOF_SUBMITTED', 'FULFILL_SUBMITTED'].includes(o.status)) {
    throw new Error(`on-ramp order ${o.id} is ${o.status}: attempt ${r.attemptId} cannot fulfil it`);
  }
  if (o.status === 'PROOF_SUBMITTED') o = await move(deps.db, o.id, { status: 'FULFILL_SUBMITTED' }, r.by);
  const buyer = await buyerKeypair(deps, o.buyerId);
  const outcome = await noting(deps, o.id, 'FULFILL_TIMEOUT', 'The fulfilment transaction', () =>
    submitFulfil(deps, { orderId: o.id, buyer, balanceId: o.balanceId!, proofId: attempt.proofIdentifier! }),
  );
  if (outcome.status === 'FAILED') {
    const message = `Stellar refused the claim (${codeLine(outcome.codes)})`;
    await settleProofAttempt(deps.db, attempt.id, { status: 'FAILED', txHash: outcome.hash });
    const failed = await move(deps.db, o.id, {
      status: 'FAILED',
      fulfillTx: outcome.hash,
      lastError: { code: 'FULFILL_REVERTED', message },
    });
    const settled = (await findProofAttempt(deps.db, attempt.id))!;
    return { outcome: 'FAILED', order: renderOnrampOrder(failed), attempt: renderProofAttempt(settled), code: 'FULFILL_REVERTED', message };
  }
  const done = await creditFulfilled(deps, o, attempt.id, outcome.hash, r.by);
  return {
    outcome: 'FULFILLED',
    order: renderOnrampOrder(done),
    attempt: renderProofAttempt((await findProofAttempt(deps.db, attempt.id))!),
  };
}

/**
 * The buyer's balance rises by the order's amount (`onramp` → the buyer's available, key `onramp:<id>:credit`) in the
 * transaction that marks the order FULFILLED. The claim is no payment (Horizon does not list claim_claimable_balance
 * in /payments), so the deposit scanner never credits it too.
 */
async function creditFulfilled(deps: OnrampDeps, o: OnrampOrderRow, attemptId: string, txHash: string, by: Actor): Promise<OnrampOrderRow> {
  return withTransaction(deps.pool, async (client) => {
    const entry = await credit(client as unknown as Pool, {
      kind: 'on_ramp',
      key: `onramp:${o.id}:credit`,
      userId: o.buyerId,
      currency: 'USD',
      amount: o.amount,
      related: { type: 'onramp_order', id: o.id },
      metadata: { transaction_hash: txHash, merchant_id: o.merchantId, intent_hash: o.intentHash },
    });
    await settleProofAttempt(onClient(client), attemptId, { status: 'FULFILLED', txHash, txConfirmedAt: new Date() });
    const row = await transitionOnrampOrder(client, o.id, { status: 'FULFILLED', fulfillTx: txHash, lastError: null }, by);
    await announceBalances(client, entry);
    return row;
  });
}

/** A claim that never got a final answer within ONRAMP_FULFILL_TIMEOUT_MS: FAILED with FULFILL_TIMEOUT (003: not retryable). */
export async function failFulfilTimeout(deps: OnrampDeps, orderId: string): Promise<OnrampOrderView> {
  const o = await mustOrder(deps.db, orderId);
  if (o.status === 'FULFILLED' || o.status === 'FAILED') return renderOnrampOrder(o);
  const lastError = { code: 'FULFILL_TIMEOUT', message: 'The fulfilment transaction got no final answer in time' };
  return renderOnrampOrder(await move(deps.db, orderId, { status: 'FAILED', lastError }));
}
