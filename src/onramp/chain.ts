import { createHash } from 'node:crypto';
import {
  type Account,
  Claimant,
  type FeeBumpTransaction,
  type Keypair,
  Memo,
  Operation,
  type Transaction,
  TransactionBuilder,
  type xdr,
} from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { formatAmount } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { signTransaction } from '../stellar/sign';
import { submitOnce, type SubmitOutcome } from '../stellar/submitter';

/**
 * The on-ramp's Stellar transactions. Each goes through the exactly-once submitter under its order's business key, is
 * signed by the account it spends from (the merchant's or the buyer's wallet, both held by the platform) and is
 * fee-bumped by the platform, which also sponsors the claimable balance's reserve (one base reserve per claimant).
 */
export interface ChainDeps {
  pool: Pool;
  network: StellarNetwork;
}

/** An envelope's claimable balance id for its operation `opIndex` (Horizon's hex), as stellar-core derives it. */
export function balanceIdOf(envelopeXdr: string, passphrase: string, opIndex: number): string {
  const tx = TransactionBuilder.fromXDR(envelopeXdr, passphrase) as Transaction | FeeBumpTransaction;
  const inner = 'innerTransaction' in tx ? tx.innerTransaction : tx;
  return inner.getClaimableBalanceId(opIndex);
}

/** The claimants of an intent: the buyer's wallet before the expiry, the merchant from the expiry on. */
export function intentClaimants(buyer: string, merchant: string, expiresAtEpoch: number): Claimant[] {
  const beforeExpiry = Claimant.predicateBeforeAbsoluteTime(String(expiresAtEpoch));
  return [new Claimant(buyer, beforeExpiry), new Claimant(merchant, Claimant.predicateNot(beforeExpiry))];
}

async function feeBumped(
  deps: ChainDeps,
  source: Account,
  ops: xdr.Operation[],
  signers: Keypair[],
  memo?: Memo,
): Promise<FeeBumpTransaction> {
  const { platform, passphrase } = deps.network;
  const fee = await deps.network.fees.perOperation();
  const builder = new TransactionBuilder(source, { fee, networkPassphrase: passphrase, ...(memo ? { memo } : {}) });
  for (const op of ops) builder.addOperation(op);
  const inner = builder.setTimeout(120).build();
  signTransaction(inner, ...signers);
  const bumped = TransactionBuilder.buildFeeBumpTransaction(platform, fee, inner, passphrase);
  signTransaction(bumped, platform);
  return bumped;
}

export interface SignalRequest {
  orderId: string;
  merchant: Keypair;
  buyerAddress: string;
  amountMinor: bigint;
  expiresAtEpoch: number;
}

/** Signals the intent: the merchant locks the order's USDC in a claimable balance for the buyer (reserve sponsored by the platform). */
export function submitSignal(deps: ChainDeps, r: SignalRequest): Promise<SubmitOutcome> {
  const { platform, usdc } = deps.network;
  const merchant = r.merchant.publicKey();
  return submitOnce(deps.pool, deps.network, {
    key: `onramp:${r.orderId}:signal`,
    sourceAccount: merchant,
    build: (source) =>
      feeBumped(
        deps,
        source,
        [
          Operation.beginSponsoringFutureReserves({ sponsoredId: merchant, source: platform.publicKey() }),
          Operation.createClaimableBalance({
            asset: usdc,
            amount: formatAmount(r.amountMinor),
            claimants: intentClaimants(r.buyerAddress, merchant, r.expiresAtEpoch),
          }),
          Operation.endSponsoringFutureReserves({}),
        ],
        [r.merchant, platform],
      ),
  });
}

/** The operation index of the claimable balance in the signal transaction. */
export const SIGNAL_BALANCE_OP = 1;

/**
 * Fulfils: the buyer's wallet claims the balance. The memo is the sha256 of the accepted proof's identifier, so the
 * chain records which proof released the USDC.
 */
export function submitFulfil(
  deps: ChainDeps,
  r: { orderId: string; buyer: Keypair; balanceId: string; proofId: string },
): Promise<SubmitOutcome> {
  const memo = Memo.hash(createHash('sha256').update(r.proofId).digest('hex'));
  return submitOnce(deps.pool, deps.network, {
    key: `onramp:${r.orderId}:fulfill`,
    sourceAccount: r.buyer.publicKey(),
    build: (source) => feeBumped(deps, source, [Operation.claimClaimableBalance({ balanceId: r.balanceId })], [r.buyer], memo),
  });
}

/** After the expiry the merchant takes its USDC back. */
export function submitReclaim(deps: ChainDeps, r: { orderId: string; merchant: Keypair; balanceId: string }): Promise<SubmitOutcome> {
  return submitOnce(deps.pool, deps.network, {
    key: `onramp:${r.orderId}:reclaim`,
    sourceAccount: r.merchant.publicKey(),
    build: (source) => feeBumped(deps, source, [Operation.claimClaimableBalance({ balanceId: r.balanceId })], [r.merchant]),
  });
}

/**
 * Support's cancel before the expiry: only the buyer's wallet may claim then, so it claims and pays the same amount to
 * the merchant in one transaction (both or neither). The wallet ends where it was; nothing is credited to the buyer.
 */
export function submitCancelReturn(
  deps: ChainDeps,
  r: { orderId: string; buyer: Keypair; merchantAddress: string; balanceId: string; amountMinor: bigint },
): Promise<SubmitOutcome> {
  return submitOnce(deps.pool, deps.network, {
    key: `onramp:${r.orderId}:cancel`,
    sourceAccount: r.buyer.publicKey(),
    build: (source) =>
      feeBumped(
        deps,
        source,
        [
          Operation.claimClaimableBalance({ balanceId: r.balanceId }),
          Operation.payment({ destination: r.merchantAddress, asset: deps.network.usdc, amount: formatAmount(r.amountMinor) }),
        ],
        [r.buyer],
      ),
  });
}
