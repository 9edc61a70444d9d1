import { xdr } from '@stellar/stellar-sdk';
import { formatStroops, toBigInt } from '../amounts';
import { muxedFields, readAccountId } from '../accounts';
import { canonicalAsset, readAsset, type AssetValue } from '../assets';
import {
  absolutePredicate,
  balanceIdHash,
  balanceIdOf,
  claimantsJson,
  decodePredicate,
  predicateHolds,
  predicateValid,
} from '../claimable-balances';
import { AUTH_CLAWBACK_ENABLED_FLAG, TRUSTLINE_CLAWBACK_ENABLED_FLAG, claimableBalanceKey } from '../ledger-state';
import { opOuter, opResult } from '../results';
import { releaseClaimableBalanceSponsorship, sponsorClaimableBalance } from '../sponsorship';
import { creditBalance, debitBalance } from './balance-transfer';
import type { OperationHandler } from './types';

const CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG = 0x1;

function balanceAsset(asset: xdr.Asset): { asset: AssetValue; valid: boolean } {
  const read = readAsset(asset);
  if ('poolShare' in read) return { asset: { type: 'native' }, valid: false };
  return read;
}

function claimantList(body: xdr.CreateClaimableBalanceOp): Array<{ destination: string; predicate: xdr.ClaimPredicate }> {
  return body.claimants().map((c) => ({ destination: readAccountId(c.v0().destination()), predicate: c.v0().predicate() }));
}

const CREATE_DEBIT_REFUSALS = {
  srcNoTrust: 'createClaimableBalanceNoTrust',
  srcNotAuthorized: 'createClaimableBalanceNotAuthorized',
  underfunded: 'createClaimableBalanceUnderfunded',
} as const;

/**
 * CreateClaimableBalanceOpFrame (stellar-core src/transactions/CreateClaimableBalanceOpFrame.cpp). checkValid:
 * a valid asset, amount > 0, at least one claimant, no destination twice, every predicate valid (depth ≤ 4, and/or
 * of two, no negative time) — else MALFORMED. Apply: debit the source (native: above its reserve, else UNDERFUNDED;
 * credit: NO_TRUST, NOT_AUTHORIZED, UNDERFUNDED; an issuer mints), make relative predicates absolute at the close
 * time, then reserve one base reserve per claimant on the sponsor (the source, or its sponsor) — LOW_RESERVE, or
 * op_too_many_sponsoring. The result carries the balance id (sha256 of the ENVELOPE_TYPE_OP_ID preimage).
 */
export const createClaimableBalance: OperationHandler<xdr.CreateClaimableBalanceOp> = {
  threshold: () => 'medium',

  checkValid(body) {
    const claimants = claimantList(body);
    const malformed =
      !balanceAsset(body.asset()).valid ||
      toBigInt(body.amount()) <= 0n ||
      claimants.length === 0 ||
      new Set(claimants.map((c) => c.destination)).size !== claimants.length ||
      !claimants.every((c) => predicateValid(c.predicate));
    return malformed ? opResult('createClaimableBalance', 'createClaimableBalanceMalformed') : null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const sourceId = ctx.source.id;
    const { asset } = balanceAsset(body.asset());
    const amount = toBigInt(body.amount());

    const refusal = debitBalance(ltx, sourceId, asset, amount, header.ledgerSeq);
    if (refusal)
      return { result: opResult('createClaimableBalance', CREATE_DEBIT_REFUSALS[refusal as keyof typeof CREATE_DEBIT_REFUSALS]) };

    let flags = 0;
    if (asset.type !== 'native') {
      const clawback =
        asset.issuer === sourceId
          ? (ltx.account(sourceId)!.flags & AUTH_CLAWBACK_ENABLED_FLAG) !== 0
          : (ltx.trustline(sourceId, asset)!.flags & TRUSTLINE_CLAWBACK_ENABLED_FLAG) !== 0;
      if (clawback) flags |= CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG;
    }

    const claimants = claimantList(body).map((c) => ({
      destination: c.destination,
      predicate: absolutePredicate(c.predicate, header.closeTime).toXDR('base64'),
    }));
    const sponsored = sponsorClaimableBalance(ltx, sourceId, claimants.length);
    if (sponsored.result === 'low_reserve') return { result: opResult('createClaimableBalance', 'createClaimableBalanceLowReserve') };
    if (sponsored.result !== 'success') return { result: opOuter('opTooManySponsoring') };

    const hash = balanceIdOf(ctx.txSourceId, ctx.txSeqNum, ctx.opIndex);
    ltx.put({
      type: 'claimable_balance',
      balanceId: hash.toString('hex'),
      claimants,
      asset,
      amount,
      sponsor: sponsored.sponsor,
      flags,
      lastModifiedLedger: header.ledgerSeq,
    });
    return {
      result: opResult('createClaimableBalance', 'createClaimableBalanceSuccess', xdr.ClaimableBalanceId.claimableBalanceIdTypeV0(hash)),
    };
  },

  describe(body, ctx) {
    const claimants = claimantList(body);
    return {
      type: 'create_claimable_balance',
      typeI: 14,
      fields: {
        asset: canonicalAsset(balanceAsset(body.asset()).asset),
        amount: formatStroops(toBigInt(body.amount())),
        claimants: claimantsJson(claimants),
      },
      // stellar/go's operation participants: the source and every claimant (a claim's only participant is its source).
      participants: [ctx.source.id, ...claimants.map((c) => c.destination)],
      isPayment: false,
    };
  },
};

const CLAIM_CREDIT_REFUSALS = {
  lineFull: 'claimClaimableBalanceLineFull',
  noTrust: 'claimClaimableBalanceNoTrust',
  notAuthorized: 'claimClaimableBalanceNotAuthorized',
} as const;

/**
 * ClaimClaimableBalanceOpFrame (stellar-core src/transactions/ClaimClaimableBalanceOpFrame.cpp), threshold LOW:
 * DOES_NOT_EXIST; CANNOT_CLAIM when the source is no claimant or its predicate fails at the ledger's close time;
 * then credit the source (native: LINE_FULL on overflow; credit: NO_TRUST, NOT_AUTHORIZED, LINE_FULL); the
 * sponsor's reserves are released and the entry erased.
 */
export const claimClaimableBalance: OperationHandler<xdr.ClaimClaimableBalanceOp> = {
  threshold: () => 'low',

  checkValid: () => null,

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const entry = ltx.claimableBalance(balanceIdHash(body.balanceId()));
    if (!entry) return { result: opResult('claimClaimableBalance', 'claimClaimableBalanceDoesNotExist') };
    const claimant = entry.claimants.find((c) => c.destination === ctx.source.id);
    if (!claimant || !predicateHolds(decodePredicate(claimant.predicate), header.closeTime)) {
      return { result: opResult('claimClaimableBalance', 'claimClaimableBalanceCannotClaim') };
    }
    const refusal = creditBalance(ltx, ctx.source.id, entry.asset, entry.amount, header.ledgerSeq);
    if (refusal) return { result: opResult('claimClaimableBalance', CLAIM_CREDIT_REFUSALS[refusal as keyof typeof CLAIM_CREDIT_REFUSALS]) };
    releaseClaimableBalanceSponsorship(ltx, entry.sponsor, entry.claimants.length);
    ltx.remove(claimableBalanceKey(entry.balanceId));
    return { result: opResult('claimClaimableBalance', 'claimClaimableBalanceSuccess') };
  },

  describe(body, ctx) {
    return {
      type: 'claim_claimable_balance',
      typeI: 15,
      fields: { balance_id: body.balanceId().toXDR('hex'), claimant: ctx.source.id, ...muxedFields('claimant', ctx.source) },
      participants: [ctx.source.id],
      isPayment: false,
    };
  },
};
