import { createHash } from 'node:crypto';
import { Keypair, xdr } from '@stellar/stellar-sdk';
import { INT64_MAX, formatStroops, toBigInt } from './amounts';
import { canonicalAsset } from './assets';
import type { ClaimableBalanceEntry } from './ledger-state';

/**
 * Claimable balances (CAP-23) as stellar-core keeps them, pinned to stellar/stellar-core
 * src/transactions/CreateClaimableBalanceOpFrame.cpp and ClaimClaimableBalanceOpFrame.cpp, and as Horizon renders
 * them (stellar/go protocols/horizon ClaimableBalance, xdr/claim_predicate.go for the predicate JSON).
 */

/**
 * CreateClaimableBalanceOpFrame::getBalanceID: sha256 of the XDR HashIDPreimage ENVELOPE_TYPE_OP_ID over the
 * transaction's source account (not the operation's), its sequence number and the operation's index.
 */
export function balanceIdOf(txSourceId: string, txSeqNum: bigint, opIndex: number): Buffer {
  const preimage = xdr.HashIdPreimage.envelopeTypeOpId(
    new xdr.HashIdPreimageOperationId({
      sourceAccount: Keypair.fromPublicKey(txSourceId).xdrAccountId(),
      seqNum: xdr.Int64.fromString(txSeqNum.toString()),
      opNum: opIndex,
    }),
  );
  return createHash('sha256').update(preimage.toXDR()).digest();
}

/** Horizon's id of a balance: the hex of the XDR ClaimableBalanceID (4 bytes of type v0, then the hash). */
export function horizonBalanceId(hashHex: string): string {
  return `00000000${hashHex}`;
}

/** The hash of a ClaimableBalanceID as the ledger keys it (hex). */
export function balanceIdHash(id: xdr.ClaimableBalanceId): string {
  return Buffer.from(id.v0()).toString('hex');
}

const MAX_PREDICATE_DEPTH = 4;

/** CreateClaimableBalanceOpFrame's validatePredicate: at most 4 levels, and/or of exactly 2, no negative time. */
export function predicateValid(pred: xdr.ClaimPredicate, depth = 1): boolean {
  if (depth > MAX_PREDICATE_DEPTH) return false;
  switch (pred.switch().name) {
    case 'claimPredicateUnconditional':
      return true;
    case 'claimPredicateAnd':
    case 'claimPredicateOr': {
      const parts = pred.value() as xdr.ClaimPredicate[];
      return parts.length === 2 && predicateValid(parts[0]!, depth + 1) && predicateValid(parts[1]!, depth + 1);
    }
    case 'claimPredicateNot': {
      const inner = pred.notPredicate();
      return inner !== null && inner !== undefined && predicateValid(inner, depth + 1);
    }
    case 'claimPredicateBeforeAbsoluteTime':
      return toBigInt(pred.absBefore()) >= 0n;
    case 'claimPredicateBeforeRelativeTime':
      return toBigInt(pred.relBefore()) >= 0n;
    default:
      return false;
  }
}

/** updatePredicatesForApply: every relative time becomes closeTime + relative (INT64_MAX when that overflows). */
export function absolutePredicate(pred: xdr.ClaimPredicate, closeTime: bigint): xdr.ClaimPredicate {
  switch (pred.switch().name) {
    case 'claimPredicateAnd':
      return xdr.ClaimPredicate.claimPredicateAnd(pred.andPredicates().map((p) => absolutePredicate(p, closeTime)));
    case 'claimPredicateOr':
      return xdr.ClaimPredicate.claimPredicateOr(pred.orPredicates().map((p) => absolutePredicate(p, closeTime)));
    case 'claimPredicateNot':
      return xdr.ClaimPredicate.claimPredicateNot(absolutePredicate(pred.notPredicate()!, closeTime));
    case 'claimPredicateBeforeRelativeTime': {
      const rel = toBigInt(pred.relBefore());
      const abs = closeTime > INT64_MAX - rel ? INT64_MAX : closeTime + rel;
      return xdr.ClaimPredicate.claimPredicateBeforeAbsoluteTime(xdr.Int64.fromString(abs.toString()));
    }
    default:
      return pred;
  }
}

/** ClaimClaimableBalanceOpFrame's validatePredicate, at the ledger's close time: absBefore must be after it. */
export function predicateHolds(pred: xdr.ClaimPredicate, closeTime: bigint): boolean {
  switch (pred.switch().name) {
    case 'claimPredicateUnconditional':
      return true;
    case 'claimPredicateAnd':
      return pred.andPredicates().every((p) => predicateHolds(p, closeTime));
    case 'claimPredicateOr':
      return pred.orPredicates().some((p) => predicateHolds(p, closeTime));
    case 'claimPredicateNot':
      return !predicateHolds(pred.notPredicate()!, closeTime);
    case 'claimPredicateBeforeAbsoluteTime':
      return toBigInt(pred.absBefore()) > closeTime;
    default:
      // A stored predicate has no relative time left (made absolute at creation); core throws here.
      throw new Error(`unexpected predicate ${pred.switch().name} in a stored claimable balance`);
  }
}

/** RFC 3339 in seconds, as stellar/go's iso8601Time renders abs_before ("2006-01-02T15:04:05Z"). */
function iso8601(epoch: bigint): string {
  // Beyond JavaScript's date range (year 275760) the sandbox shows the range's end; no real deadline is that far.
  const ms = epoch * 1000n > 8_640_000_000_000_000n ? 8_640_000_000_000_000n : epoch * 1000n;
  return new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** stellar/go xdr/claim_predicate.go's JSON of a predicate (what Horizon shows in claimants). */
export function predicateJson(pred: xdr.ClaimPredicate): Record<string, unknown> {
  switch (pred.switch().name) {
    case 'claimPredicateUnconditional':
      return { unconditional: true };
    case 'claimPredicateAnd':
      return { and: pred.andPredicates().map(predicateJson) };
    case 'claimPredicateOr':
      return { or: pred.orPredicates().map(predicateJson) };
    case 'claimPredicateNot':
      return { not: predicateJson(pred.notPredicate()!) };
    case 'claimPredicateBeforeAbsoluteTime': {
      const abs = toBigInt(pred.absBefore());
      return { abs_before: iso8601(abs), abs_before_epoch: abs.toString() };
    }
    case 'claimPredicateBeforeRelativeTime':
      return { rel_before: toBigInt(pred.relBefore()).toString() };
    default:
      return {};
  }
}

export const decodePredicate = (base64: string) => xdr.ClaimPredicate.fromXDR(base64, 'base64');

/** Horizon's claimants array: destination and predicate JSON. */
export function claimantsJson(claimants: Array<{ destination: string; predicate: xdr.ClaimPredicate }>): Array<Record<string, unknown>> {
  return claimants.map((c) => ({ destination: c.destination, predicate: predicateJson(c.predicate) }));
}

/** Horizon's ClaimableBalance resource (stellar/go protocols/horizon/main.go). */
export function renderClaimableBalance(
  base: string,
  entry: ClaimableBalanceEntry,
  lastModifiedTime: string | null,
): Record<string, unknown> {
  const id = horizonBalanceId(entry.balanceId);
  return {
    _links: {
      self: { href: `${base}/claimable_balances/${id}` },
      transactions: { href: `${base}/claimable_balances/${id}/transactions{?cursor,limit,order}`, templated: true },
      operations: { href: `${base}/claimable_balances/${id}/operations{?cursor,limit,order}`, templated: true },
    },
    id,
    asset: canonicalAsset(entry.asset),
    amount: formatStroops(entry.amount),
    sponsor: entry.sponsor,
    last_modified_ledger: entry.lastModifiedLedger,
    last_modified_time: lastModifiedTime,
    claimants: claimantsJson(entry.claimants.map((c) => ({ destination: c.destination, predicate: decodePredicate(c.predicate) }))),
    flags: { clawback_enabled: (entry.flags & 0x1) !== 0 },
    paging_token: `${entry.lastModifiedLedger}-${id}`,
  };
}
