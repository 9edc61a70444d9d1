import type { xdr } from '@stellar/stellar-sdk';
import { formatStroops, toBigInt } from '../amounts';
import { muxedFields, readMuxed } from '../accounts';
import { assetFields, readAsset, type AssetValue } from '../assets';
import { opResult } from '../results';
import { creditBalance, debitBalance, type TransferRefusal } from './balance-transfer';
import type { OperationHandler } from './types';

function paymentAsset(body: xdr.PaymentOp): { asset: AssetValue; valid: boolean } {
  const read = readAsset(body.asset());
  if ('poolShare' in read) return { asset: { type: 'native' }, valid: false };
  return read;
}

const PAYMENT_REFUSALS = {
  lineFull: 'paymentLineFull',
  noTrust: 'paymentNoTrust',
  notAuthorized: 'paymentNotAuthorized',
  underfunded: 'paymentUnderfunded',
  srcNoTrust: 'paymentSrcNoTrust',
  srcNotAuthorized: 'paymentSrcNotAuthorized',
} as const satisfies Record<TransferRefusal, string>;

/**
 * PaymentOpFrame, which stellar-core runs as a path payment without a path: the destination is credited first
 * (NO_DESTINATION, NO_TRUST, NOT_AUTHORIZED, LINE_FULL), then the source is debited (UNDERFUNDED, SRC_NO_TRUST,
 * SRC_NOT_AUTHORIZED). An issuer needs no trustline for its own asset: paying it burns, it paying mints; and a
 * payment of a credit asset to its issuer does not even need the issuer account to exist.
 */
export const payment: OperationHandler<xdr.PaymentOp> = {
  threshold: () => 'medium',

  checkValid(body) {
    if (toBigInt(body.amount()) <= 0n) return opResult('payment', 'paymentMalformed');
    if (!paymentAsset(body).valid) return opResult('payment', 'paymentMalformed');
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const { asset } = paymentAsset(body);
    const amount = toBigInt(body.amount());
    const destination = readMuxed(body.destination()).id;
    const sourceId = ctx.source.id;

    if (destination === sourceId && asset.type === 'native') return { result: opResult('payment', 'paymentSuccess') };

    const bypassIssuerCheck = asset.type !== 'native' && asset.issuer === destination;
    if (!bypassIssuerCheck && !ltx.account(destination)) return { result: opResult('payment', 'paymentNoDestination') };

    const refusal =
      creditBalance(ltx, destination, asset, amount, header.ledgerSeq) ?? debitBalance(ltx, sourceId, asset, amount, header.ledgerSeq);
    return { result: opResult('payment', refusal ? PAYMENT_REFUSALS[refusal] : 'paymentSuccess') };
  },

  describe(body, ctx) {
    const to = readMuxed(body.destination());
    const { asset } = paymentAsset(body);
    return {
      type: 'payment',
      typeI: 1,
      fields: {
        ...assetFields(asset),
        from: ctx.source.id,
        ...muxedFields('from', ctx.source),
        to: to.id,
        ...muxedFields('to', to),
        amount: formatStroops(toBigInt(body.amount())),
      },
      participants: [ctx.source.id, to.id],
      isPayment: true,
    };
  },
};
