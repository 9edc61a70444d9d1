import type { xdr } from '@stellar/stellar-sdk';
import { muxedFields, readAccountId } from '../accounts';
import { sponsorshipCounterKey, sponsorshipKey } from '../ledger-state';
import { opResult } from '../results';
import type { OperationHandler } from './types';

/**
 * BeginSponsoringFutureReservesOpFrame: from here until the sponsored account's EndSponsoringFutureReserves, the
 * reserves of entries the sponsored account gets (its own account entry, trustlines, signers, data) are paid by
 * the source. Every begin must be ended within the same transaction (tx_bad_sponsorship otherwise).
 */
export const beginSponsoringFutureReserves: OperationHandler<xdr.BeginSponsoringFutureReservesOp> = {
  threshold: () => 'medium',

  checkValid(body, ctx) {
    if (readAccountId(body.sponsoredId()) === ctx.source.id) {
      return opResult('beginSponsoringFutureReserves', 'beginSponsoringFutureReservesMalformed');
    }
    return null;
  },

  apply(body, ctx) {
    const { ltx } = ctx;
    const sponsoredId = readAccountId(body.sponsoredId());
    if (ltx.sponsorship(sponsoredId)) {
      return { result: opResult('beginSponsoringFutureReserves', 'beginSponsoringFutureReservesAlreadySponsored') };
    }
    if (ltx.sponsorship(ctx.source.id) || ltx.sponsorshipCounter(sponsoredId)) {
      return { result: opResult('beginSponsoringFutureReserves', 'beginSponsoringFutureReservesRecursive') };
    }
    ltx.put({ type: 'sponsorship', sponsoredId, sponsorId: ctx.source.id });
    const counter = ltx.sponsorshipCounter(ctx.source.id);
    ltx.put({ type: 'sponsorship_counter', sponsorId: ctx.source.id, count: (counter?.count ?? 0) + 1 });
    return { result: opResult('beginSponsoringFutureReserves', 'beginSponsoringFutureReservesSuccess') };
  },

  describe(body, ctx) {
    const sponsoredId = readAccountId(body.sponsoredId());
    return {
      type: 'begin_sponsoring_future_reserves',
      typeI: 16,
      fields: { sponsored_id: sponsoredId },
      participants: [ctx.source.id, sponsoredId],
      isPayment: false,
    };
  },
};

/** EndSponsoringFutureReservesOpFrame: the sponsored account (the source) closes its sponsorship. */
export const endSponsoringFutureReserves: OperationHandler<null> = {
  threshold: () => 'medium',

  checkValid: () => null,

  apply(_body, ctx) {
    const { ltx } = ctx;
    const sponsorship = ltx.sponsorship(ctx.source.id);
    if (!sponsorship) {
      return { result: opResult('endSponsoringFutureReserves', 'endSponsoringFutureReservesNotSponsored') };
    }
    ltx.remove(sponsorshipKey(ctx.source.id));
    const counter = ltx.sponsorshipCounter(sponsorship.sponsorId)!;
    if (counter.count <= 1) ltx.remove(sponsorshipCounterKey(sponsorship.sponsorId));
    else ltx.put({ ...counter, count: counter.count - 1 });
    return { result: opResult('endSponsoringFutureReserves', 'endSponsoringFutureReservesSuccess') };
  },

  describe(_body, ctx) {
    // Horizon names the account that began the sponsorship this operation ends.
    let beginSponsor: { id: string; muxed?: string; muxedId?: string } | undefined;
    for (let i = ctx.opIndex - 1; i >= 0; i -= 1) {
      const { body, source } = ctx.all[i]!;
      if (body.switch().name === 'beginSponsoringFutureReserves') {
        const op = body.value() as xdr.BeginSponsoringFutureReservesOp;
        if (readAccountId(op.sponsoredId()) === ctx.source.id) {
          beginSponsor = source;
          break;
        }
      }
    }
    return {
      type: 'end_sponsoring_future_reserves',
      typeI: 17,
      fields: beginSponsor ? { begin_sponsor: beginSponsor.id, ...muxedFields('begin_sponsor', beginSponsor) } : {},
      participants: [ctx.source.id, ...(beginSponsor ? [beginSponsor.id] : [])],
      isPayment: false,
    };
  },
};
