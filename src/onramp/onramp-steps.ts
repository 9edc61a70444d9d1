import { Keypair } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { SYSTEM, type Actor } from '../audit/actor';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import type { StellarNetwork } from '../stellar/network';
import type { ResultCodes } from '../stellar/horizon-errors';
import { walletKeypair } from '../wallets/wallets';
import { findWallet } from '../wallets/wallets-repository';
import { SIGNAL_BALANCE_OP, balanceIdOf, submitCancelReturn, submitReclaim, submitSignal } from './chain';
import {
  findMerchant,
  findOnrampOrder,
  noteOnrampError,
  setOnrampReturn,
  transitionOnrampOrder,
  type MerchantRow,
  type OnrampChange,
} from './onramp-repository';
import type { ProofPolicy, VerifyProof } from './proof-port';
import { renderOnrampOrder, type OnrampOrderRow, type OnrampOrderView } from './render';

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

export async function mustOrder(db: Db, id: string): Promise<OnrampOrderRow> {
  const o = await findOnrampOrder(db, id);
  if (!o) throw new Error(`on-ramp order ${id} does not exist`);
  return o;
}

async function mustMerchant(deps: OnrampDeps, id: string): Promise<Keypair> {
  const m = await findMerchant(deps.db, id);
  if (!m) throw new Error(`merchant ${id} does not exist`);
  return merchantKeypair(deps.box, m);
}

export async function buyerKeypair(deps: OnrampDeps, userId: string): Promise<Keypair> {
  const wallet = await findWallet(deps.db, userId);
  if (!wallet || wallet.status !== 'ACTIVE') throw new Error(`the wallet of ${userId} is not active`);
  return walletKeypair(deps.box, wallet);
}

export const move = (db: Db, id: string, change: OnrampChange, actor: Actor = SYSTEM) =>
  db.transaction((tx) => transitionOnrampOrder(tx, id, change, actor));

/** Horizon's codes as one safe line (never the raw answer): the first failing operation's code, else the transaction's. */
export function codeLine(codes: ResultCodes): string {
  return codes.operations?.find((c) => c !== 'op_success') ?? codes.inner_transaction ?? codes.transaction;
}

/**
 * Runs a chain step; a fault (Horizon away, a timeout) is noted on the order as `last_error` with `code` and a safe
 * sentence before the activity is retried, so a stuck order shows why. Cleared by the step's next transition.
 */
export async function noting<T>(deps: OnrampDeps, orderId: string, code: string, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    // Best effort, and safe to lose: the note only explains a stuck order to a reader. The step's own error is thrown
    // just below either way, so the activity is retried (or fails) exactly as without the note; nothing moves here.
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
  if (outcome.status === 'SUCCEEDED')
    return renderOnrampOrder(await move(deps.db, orderId, { status: 'CANCELLED', returnTx: outcome.hash, lastError: null }, actor));
  // The buyer's window had closed when the return reached a ledger (the expiry passed meanwhile: op_cannot_claim, and
  // the same key answers the same refusal for ever): the merchant reclaims instead, as at the expiry, and the order is
  // still support's CANCELLED. Found by `npm run chaos` (a cancel answered at the expiry retried its claim for ever).
  if (codeLine(outcome.codes) !== 'op_cannot_claim')
    throw new Error(`the cancel return of ${orderId} was refused: ${codeLine(outcome.codes)}`);
  const reclaimed = await noting(deps, orderId, 'RETURN_NOT_MINED', 'The merchant’s reclaim', async () =>
    submitReclaim(deps, { orderId, merchant: await mustMerchant(deps, o.merchantId), balanceId: o.balanceId! }),
  );
  if (reclaimed.status === 'FAILED')
    throw new Error(`the cancel of ${orderId} found the balance claimed: the reclaim was refused (${codeLine(reclaimed.codes)})`);
  return renderOnrampOrder(await move(deps.db, orderId, { status: 'CANCELLED', returnTx: reclaimed.hash, lastError: null }, actor));
}
