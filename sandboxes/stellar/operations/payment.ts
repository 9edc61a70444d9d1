import type { xdr } from '@stellar/stellar-sdk';
import { INT64_MAX, formatStroops, toBigInt } from '../amounts';
import { muxedFields, readMuxed } from '../accounts';
import { assetFields, readAsset, type AssetValue } from '../assets';
import { AUTHORIZED_FLAG, availableBalance, type LedgerLayer } from '../ledger-state';
import { opResult, type OpResult } from '../results';
import type { OperationHandler } from './types';

function paymentAsset(body: xdr.PaymentOp): { asset: AssetValue; valid: boolean } {
  const read = readAsset(body.asset());
  if ('poolShare' in read) return { asset: { type: 'native' }, valid: false };
  return read;
}

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

    const failure = credit(ltx, destination, asset, amount, header.ledgerSeq) ?? debit(ltx, sourceId, asset, amount, header.ledgerSeq);
    return { result: failure ?? opResult('payment', 'paymentSuccess') };
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

function credit(ltx: LedgerLayer, to: string, asset: AssetValue, amount: bigint, ledger: number): OpResult | null {
  if (asset.type === 'native') {
    const acc = ltx.account(to)!;
    if (acc.balance > INT64_MAX - amount) return opResult('payment', 'paymentLineFull');
    ltx.put({ ...acc, balance: acc.balance + amount, lastModifiedLedger: ledger });
    return null;
  }
  if (asset.issuer === to) return null;
  const line = ltx.trustline(to, asset);
  if (!line) return opResult('payment', 'paymentNoTrust');
  if (!(line.flags & AUTHORIZED_FLAG)) return opResult('payment', 'paymentNotAuthorized');
  if (line.balance > line.limit - amount) return opResult('payment', 'paymentLineFull');
  ltx.put({ ...line, balance: line.balance + amount, lastModifiedLedger: ledger });
  return null;
}

function debit(ltx: LedgerLayer, from: string, asset: AssetValue, amount: bigint, ledger: number): OpResult | null {
  if (asset.type === 'native') {
    const acc = ltx.account(from)!;
    if (amount > availableBalance(acc)) return opResult('payment', 'paymentUnderfunded');
    ltx.put({ ...acc, balance: acc.balance - amount, lastModifiedLedger: ledger });
    return null;
  }
  if (asset.issuer === from) return null;
  const line = ltx.trustline(from, asset);
  if (!line) return opResult('payment', 'paymentSrcNoTrust');
  if (!(line.flags & AUTHORIZED_FLAG)) return opResult('payment', 'paymentSrcNotAuthorized');
  if (line.balance < amount) return opResult('payment', 'paymentUnderfunded');
  ltx.put({ ...line, balance: line.balance - amount, lastModifiedLedger: ledger });
  return null;
}
