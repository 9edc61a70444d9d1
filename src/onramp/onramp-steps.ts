import { Keypair } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { SYSTEM, type Actor } from '../audit/actor';
import type { SecretBox } from '../crypto/secret-box';
import { onClient, withTransaction, type Db } from '../db/client';
import { announceBalances } from '../events/balance-events';
import { credit } from '../ledger';
import type { StellarNetwork } from '../stellar/network';
import type { ResultCodes } from '../stellar/horizon-errors';
import { walletKeypair } from '../wallets/wallets';
import { findWallet } from '../wallets/wallets-repository';
import { SIGNAL_BALANCE_OP, balanceIdOf, submitCancelReturn, submitFulfil, submitReclaim, submitSignal } from './chain';
import {
  findMerchant,
  findOnrampOrder,
  findProofAttempt,
  insertProofAttempt,
  noteOnrampError,
  proofAlreadyAccepted,
  setOnrampReturn,
  settleProofAttempt,
  transitionOnrampOrder,
  type MerchantRow,
  type OnrampChange,
} from './onramp-repository';
import { AWAITING_PROOF, type OnrampErrorCode } from './onramp-state';
import type { ProofVerdict } from './proof';
import { claimedIdentifier, type ProofPolicy, type VerifyProof } from './proof-port';
import { renderOnrampOrder, renderProofAttempt, type OnrampOrderRow, type OnrampOrderView, type ProofAttemptView } from './render';

/**
 * The on-ramp order's steps, each safe to run again (an activity retried after a crash resumes where it stopped): the
 * chain step goes through the exactly-once submitter, the status moves once, the ledger credit has a unique key.
 */
export interface OnrampDeps {
  db: Db;
  pool: Pool;
  network: StellarNetwork;
  box: SecretBox;
  verifyProof: VerifyProof;
  policy: ProofPolicy;
}

export function merchantKeypair(box: SecretBox, m: MerchantRow): Keypair {
  return Keypair.fromSecret(box.open(m.secretSealed, m.id));
}

async function mustOrder(db: Db, id: string): Promise<OnrampOrderRow> {
  const o = await findOnrampOrder(db, id);
  if (!o) throw new Error(`on-ramp order ${id} does not exist`);
  return o;
}

async function mustMerchant(deps: OnrampDeps, id: string): Promise<Keypair> {
  const m = await findMerchant(deps.db, id);
  if (!m) throw new Error(`merchant ${id} does not exist`);
  return merchantKeypair(deps.box, m);
}

async function buyerKeypair(deps: OnrampDeps, userId: string): Promise<Keypair> {
  const wallet = await findWallet(deps.db, userId);
  if (!wallet || wallet.status !== 'ACTIVE') throw new Error(`the wallet of ${userId} is not active`);
  return walletKeypair(deps.box, wallet);
}

const move = (db: Db, id: string, change: OnrampChange, actor: Actor = SYSTEM) =>
  db.transaction((tx) => transitionOnrampOrder(tx, id, change, actor));

/** Horizon's codes as one safe line (never the raw answer): the first failing operation's code, else the transaction's. */
function codeLine(codes: ResultCodes): string {
  return codes.operations?.find((c) => c !== 'op_success') ?? codes.inner_transaction ?? codes.transaction;
}

/**
 * Runs a chain step; a fault (Horizon away, a timeout) is noted on the order as `last_error` with `code` and a safe
 * sentence before the activity is retried, so a stuck order shows why. Cleared by the step's next transition.
 */
async function noting<T>(deps: OnrampDeps, orderId: string, code: string, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await noteOnrampError(deps.db, orderId, { code, message: `${what} is not confirmed yet; retrying` }).catch(() => undefined);
    throw err;
  }
}

/** SESSION_CREATED → SIGNAL_SENT → SIGNAL_MINED (the claimable balance exists), or FAILED when Stellar refuses it. */
export async function signalIntent(deps: OnrampDeps, orderId: string): Promise<OnrampOrderView> {
  let o = await mustOrder(deps.db, orderId);
  if (o.status !== 'SESSION_CREATED' && o.status !== 'SIGNAL_SENT') return renderOnrampOrder(o);
  if (o.status === 'SESSION_CREATED') o = await move(deps.db, orderId, { status: 'SIGNAL_SENT' });
  const merchant = await mustMerchant(deps, o.merchantId);
  const outcome = await noting(deps, orderId, 'SIGNAL_NOT_MINED', 'The signal transaction', () =>
    submitSignal(deps, {
      orderId,
      merchant,
      buyerAddress: o.buyerAddress,
      amountMinor: o.amount,
      expiresAtEpoch: Math.floor(o.expiresAt.getTime() / 1000),
    }),
  );
  if (outcome.status === 'FAILED') {
    const message = `Stellar refused the signal (${codeLine(outcome.codes)})`;
    return renderOnrampOrder(
      await move(deps.db, orderId, { status: 'FAILED', signalTx: outcome.hash, lastError: { code: 'SIGNAL_REVERTED', message } }),
    );
  }
  const balanceId = balanceIdOf(outcome.envelopeXdr, deps.network.passphrase, SIGNAL_BALANCE_OP);
  const signalledAt = await closeTimeOf(deps.network, outcome.ledger);
  return renderOnrampOrder(
    await move(deps.db, orderId, { status: 'SIGNAL_MINED', signalTx: outcome.hash, balanceId, signalledAt, lastError: null }),
  );
}

/**
 * When the signal was mined: its ledger's close time (whole seconds, as payment platforms date payments), or this
 * second when the ledger is not known. A payment proven to be made before it is refused by the verifier.
 */
async function closeTimeOf(network: StellarNetwork, ledger: number | null): Promise<Date> {
  if (ledger !== null) {
    const record = (await network.horizon.ledgers().ledger(ledger).call()) as unknown as { closed_at?: string };
    if (record.closed_at) return new Date(record.closed_at);
  }
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

export async function markPaymentSent(deps: OnrampDeps, orderId: string, actor: Actor): Promise<OnrampOrderView> {
  return renderOnrampOrder(await move(deps.db, orderId, { status: 'PAYMENT_SENT' }, actor));
}

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
    const claimed = claimedIdentifier(r.proof);
    if (claimed && (await proofAlreadyAccepted(deps.db, claimed)))
      return reject(deps, o, r, 'PROOF_INVALID', 'This proof was already used');
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

/**
 * At the expiry the merchant reclaims the balance: an open order becomes EXPIRED; a FAILED one (its claim reverted or
 * timed out) stays FAILED with the return recorded. Nothing to reclaim (never signalled) ends it without a transaction.
 */
export async function expire(deps: OnrampDeps, orderId: string): Promise<OnrampOrderView> {
  const o = await mustOrder(deps.db, orderId);
  if (o.returnTx || o.status === 'FULFILLED' || o.status === 'CANCELLED' || o.status === 'EXPIRED') return renderOnrampOrder(o);
  const next = o.status === 'FAILED' ? 'FAILED' : 'EXPIRED';
  if (!o.balanceId) return renderOnrampOrder(await move(deps.db, orderId, { status: next }));
  const merchant = await mustMerchant(deps, o.merchantId);
  const outcome = await noting(deps, orderId, 'RETURN_NOT_MINED', 'The merchant’s reclaim', () =>
    submitReclaim(deps, { orderId, merchant, balanceId: o.balanceId! }),
  );
  if (outcome.status === 'FAILED') {
    // Already claimed (a late fulfilment landed): nothing to return; the order shows why.
    const message = `Stellar refused the reclaim (${codeLine(outcome.codes)})`;
    await noteOnrampError(deps.db, orderId, { code: 'RETURN_REFUSED', message });
    return renderOnrampOrder(await mustOrder(deps.db, orderId));
  }
  if (next === 'FAILED') return renderOnrampOrder(await setOnrampReturn(deps.db, orderId, outcome.hash));
  return renderOnrampOrder(await move(deps.db, orderId, { status: 'EXPIRED', returnTx: outcome.hash, lastError: null }));
}

/** Support's cancel: the merchant's USDC goes back on chain now (see submitCancelReturn), the order is CANCELLED. */
export async function cancel(deps: OnrampDeps, orderId: string, actor: Actor): Promise<OnrampOrderView> {
  const o = await mustOrder(deps.db, orderId);
  if (o.status === 'CANCELLED') return renderOnrampOrder(o);
  if (!o.balanceId) return renderOnrampOrder(await move(deps.db, orderId, { status: 'CANCELLED' }, actor));
  const buyer = await buyerKeypair(deps, o.buyerId);
  const merchant = await findMerchant(deps.db, o.merchantId);
  const outcome = await noting(deps, orderId, 'RETURN_NOT_MINED', 'The return to the merchant', () =>
    submitCancelReturn(deps, { orderId, buyer, merchantAddress: merchant!.publicKey, balanceId: o.balanceId!, amountMinor: o.amount }),
  );
  if (outcome.status === 'FAILED') throw new Error(`the cancel return of ${orderId} was refused: ${codeLine(outcome.codes)}`);
  return renderOnrampOrder(await move(deps.db, orderId, { status: 'CANCELLED', returnTx: outcome.hash, lastError: null }, actor));
}
