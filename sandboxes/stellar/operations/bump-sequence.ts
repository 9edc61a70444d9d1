import type { xdr } from '@stellar/stellar-sdk';
import { toBigInt } from '../amounts';
import { opResult } from '../results';
import type { OperationHandler } from './types';

/** BumpSequenceOpFrame: raises the source's sequence number (never lowers it). */
export const bumpSequence: OperationHandler<xdr.BumpSequenceOp> = {
  threshold: () => 'low',

  checkValid(body) {
    if (toBigInt(body.bumpTo()) < 0n) return opResult('bumpSequence', 'bumpSequenceBadSeq');
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const bumpTo = toBigInt(body.bumpTo());
    const acc = ltx.account(ctx.source.id)!;
    if (bumpTo > acc.seqNum) {
      ltx.put({
        ...acc,
        seqNum: bumpTo,
        seqLedger: header.ledgerSeq,
        seqTime: header.closeTime,
        lastModifiedLedger: header.ledgerSeq,
      });
    }
    return { result: opResult('bumpSequence', 'bumpSequenceSuccess') };
  },

  describe(body, ctx) {
    return {
      type: 'bump_sequence',
      typeI: 11,
      fields: { bump_to: toBigInt(body.bumpTo()).toString() },
      participants: [ctx.source.id],
      isPayment: false,
    };
  },
};
