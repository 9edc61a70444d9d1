import { Keypair, xdr } from '@stellar/stellar-sdk';
import { formatStroops, toBigInt } from '../amounts';
import { muxedFields, readMuxed } from '../accounts';
import { assetFields, readAsset, sameAsset, type AssetValue } from '../assets';
import { opResult, type OpResult } from '../results';
import { creditBalance, debitBalance, type TransferRefusal } from './balance-transfer';
import type { AccountRef, ApplyContext, ApplyOutcome, CheckContext, DescribeContext, OperationHandler } from './types';

/**
 * The two path payments, after stellar-core's PathPaymentStrictReceiveOpFrame.cpp, PathPaymentStrictSendOpFrame.cpp
 * and PathPaymentOpFrameBase.cpp (src/transactions/), and rendered as Horizon's ingestion does
 * (services/horizon/internal/ingest/processors/operations_processor.go in stellar/go).
 *
 * The sandbox has no order book and no liquidity pool, so every conversion between two different assets crosses
 * nothing and fails as it does on a network without offers: TOO_FEW_OFFERS. A hop between equal assets is skipped
 * (`if (recvAsset == sendAsset) continue;` in both frames), so a path payment that starts and ends in USDC, through
 * any path of USDC, delivers exactly like a payment; that is what wallets and exchanges send when they route.
 */

type PathOp = xdr.PathPaymentStrictReceiveOp | xdr.PathPaymentStrictSendOp;

interface PathAssets {
  send: AssetValue;
  dest: AssetValue;
  path: AssetValue[];
  valid: boolean;
}

function readAssets(body: PathOp): PathAssets {
  const read = [body.sendAsset(), body.destAsset(), ...body.path()].map((a) => readAsset(a));
  const assets = read.map((r) => ('poolShare' in r ? ({ type: 'native' } as const) : r.asset));
  const valid = read.every((r) => !('poolShare' in r) && r.valid);
  return { send: assets[0], dest: assets[1], path: assets.slice(2), valid };
}

/**
 * shouldBypassIssuerCheck: no path, one asset, and the destination is its issuer: the destination account need
 * not even exist, so credits can always go back to their issuer.
 */
function bypassesIssuerCheck(a: PathAssets, destination: string): boolean {
  return a.dest.type !== 'native' && a.path.length === 0 && sameAsset(a.send, a.dest) && a.dest.issuer === destination;
}

/**
 * Walks the hops in the frame's order from `start`. Equal hops are skipped and leave the current asset as it was, so
 * the first hop that differs from `start` is a conversion, which cannot be made here.
 */
function needsConversion(hops: AssetValue[], start: AssetValue): boolean {
  return hops.some((hop) => !sameAsset(start, hop));
}

function successValue(kind: 'receive' | 'send', destination: string, destAsset: xdr.Asset, amount: bigint): unknown {
  const last = new xdr.SimplePaymentResult({
    destination: Keypair.fromPublicKey(destination).xdrAccountId(),
    asset: destAsset,
    amount: xdr.Int64.fromString(amount.toString()),
  });
  return kind === 'receive'
    ? new xdr.PathPaymentStrictReceiveResultSuccess({ offers: [], last })
    : new xdr.PathPaymentStrictSendResultSuccess({ offers: [], last });
}

function describePath(body: PathOp, ctx: DescribeContext, type: string, typeI: number, amounts: Record<string, string>) {
  const to = readMuxed(body.destination());
  const a = readAssets(body);
  return {
    type,
    typeI,
    fields: {
      ...assetFields(a.dest),
      from: ctx.source.id,
      ...muxedFields('from', ctx.source),
      to: to.id,
      ...muxedFields('to', to),
      ...amounts,
      ...assetFields(a.send, 'source_'),
      path: a.path.map((p) => assetFields(p)),
    },
    participants: [ctx.source.id, to.id],
    isPayment: true,
  };
}

function checkAmounts(first: xdr.Int64, second: xdr.Int64, body: PathOp, malformed: () => OpResult): OpResult | null {
  if (toBigInt(first) <= 0n || toBigInt(second) <= 0n) return malformed();
  if (!readAssets(body).valid) return malformed();
  return null;
}

interface Frame {
  source: AccountRef;
  destination: string;
  assets: PathAssets;
  bypass: boolean;
  ledger: number;
}

function frameOf(body: PathOp, ctx: ApplyContext): Frame {
  const destination = readMuxed(body.destination()).id;
  const assets = readAssets(body);
  return { source: ctx.source, destination, assets, bypass: bypassesIssuerCheck(assets, destination), ledger: ctx.header.ledgerSeq };
}

const RECEIVE_REFUSALS = {
  lineFull: 'pathPaymentStrictReceiveLineFull',
  noTrust: 'pathPaymentStrictReceiveNoTrust',
  notAuthorized: 'pathPaymentStrictReceiveNotAuthorized',
  underfunded: 'pathPaymentStrictReceiveUnderfunded',
  srcNoTrust: 'pathPaymentStrictReceiveSrcNoTrust',
  srcNotAuthorized: 'pathPaymentStrictReceiveSrcNotAuthorized',
} as const satisfies Record<TransferRefusal, string>;

const SEND_REFUSALS = {
  lineFull: 'pathPaymentStrictSendLineFull',
  noTrust: 'pathPaymentStrictSendNoTrust',
  notAuthorized: 'pathPaymentStrictSendNotAuthorized',
  underfunded: 'pathPaymentStrictSendUnderfunded',
  srcNoTrust: 'pathPaymentStrictSendSrcNoTrust',
  srcNotAuthorized: 'pathPaymentStrictSendSrcNotAuthorized',
} as const satisfies Record<TransferRefusal, string>;

const receiveResult = (code: Parameters<typeof opResult<'pathPaymentStrictReceive'>>[1], value?: unknown): ApplyOutcome => ({
  result: opResult('pathPaymentStrictReceive', code, value),
});
const sendResult = (code: Parameters<typeof opResult<'pathPaymentStrictSend'>>[1], value?: unknown): ApplyOutcome => ({
  result: opResult('pathPaymentStrictSend', code, value),
});

/**
 * Strict receive: the destination is credited `destAmount` first, the path is walked from the destination back to
 * the send asset, the amount needed must not exceed `sendMax` (OVER_SENDMAX), then the source is debited.
 */
export const pathPaymentStrictReceive: OperationHandler<xdr.PathPaymentStrictReceiveOp> = {
  threshold: () => 'medium',

  checkValid: (body: xdr.PathPaymentStrictReceiveOp, _ctx: CheckContext) =>
    checkAmounts(body.destAmount(), body.sendMax(), body, () => opResult('pathPaymentStrictReceive', 'pathPaymentStrictReceiveMalformed')),

  apply(body, ctx) {
    const f = frameOf(body, ctx);
    const amount = toBigInt(body.destAmount());
    if (!f.bypass && !ctx.ltx.account(f.destination)) return receiveResult('pathPaymentStrictReceiveNoDestination');
    const credited = creditBalance(ctx.ltx, f.destination, f.assets.dest, amount, f.ledger);
    if (credited) return receiveResult(RECEIVE_REFUSALS[credited]);
    if (needsConversion([...[...f.assets.path].reverse(), f.assets.send], f.assets.dest)) {
      return receiveResult('pathPaymentStrictReceiveTooFewOffers');
    }
    if (amount > toBigInt(body.sendMax())) return receiveResult('pathPaymentStrictReceiveOverSendmax');
    const debited = debitBalance(ctx.ltx, f.source.id, f.assets.send, amount, f.ledger);
    if (debited) return receiveResult(RECEIVE_REFUSALS[debited]);
    return {
      ...receiveResult('pathPaymentStrictReceiveSuccess', successValue('receive', f.destination, body.destAsset(), amount)),
      recordFields: { source_amount: formatStroops(amount) },
    };
  },

  // source_amount is 0 until the transaction succeeded (then the result's send amount, set by apply).
  describe: (body, ctx) =>
    describePath(body, ctx, 'path_payment_strict_receive', 2, {
      amount: formatStroops(toBigInt(body.destAmount())),
      source_amount: formatStroops(0n),
      source_max: formatStroops(toBigInt(body.sendMax())),
    }),
};

/**
 * Strict send: the source is debited `sendAmount` first, the path is walked to the destination asset, the amount
 * arriving must reach `destMin` (UNDER_DESTMIN), then the destination is credited.
 */
export const pathPaymentStrictSend: OperationHandler<xdr.PathPaymentStrictSendOp> = {
  threshold: () => 'medium',

  checkValid: (body: xdr.PathPaymentStrictSendOp, _ctx: CheckContext) =>
    checkAmounts(body.sendAmount(), body.destMin(), body, () => opResult('pathPaymentStrictSend', 'pathPaymentStrictSendMalformed')),

  apply(body, ctx) {
    const f = frameOf(body, ctx);
    const amount = toBigInt(body.sendAmount());
    if (!f.bypass && !ctx.ltx.account(f.destination)) return sendResult('pathPaymentStrictSendNoDestination');
    const debited = debitBalance(ctx.ltx, f.source.id, f.assets.send, amount, f.ledger);
    if (debited) return sendResult(SEND_REFUSALS[debited]);
    if (needsConversion([...f.assets.path, f.assets.dest], f.assets.send)) return sendResult('pathPaymentStrictSendTooFewOffers');
    if (amount < toBigInt(body.destMin())) return sendResult('pathPaymentStrictSendUnderDestmin');
    const credited = creditBalance(ctx.ltx, f.destination, f.assets.dest, amount, f.ledger);
    if (credited) return sendResult(SEND_REFUSALS[credited]);
    return {
      ...sendResult('pathPaymentStrictSendSuccess', successValue('send', f.destination, body.destAsset(), amount)),
      recordFields: { amount: formatStroops(amount) },
    };
  },

  // amount is 0 until the transaction succeeded (then the result's destination amount, set by apply).
  describe: (body, ctx) =>
    describePath(body, ctx, 'path_payment_strict_send', 13, {
      amount: formatStroops(0n),
      source_amount: formatStroops(toBigInt(body.sendAmount())),
      destination_min: formatStroops(toBigInt(body.destMin())),
    }),
};
