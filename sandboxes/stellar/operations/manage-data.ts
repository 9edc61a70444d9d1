import type { xdr } from '@stellar/stellar-sdk';
import { dataKey, type DataEntry } from '../ledger-state';
import { opResult, sponsorshipRefusal } from '../results';
import { createEntryWithPossibleSponsorship, removeEntryWithPossibleSponsorship } from '../sponsorship';
import type { OperationHandler } from './types';

function nameOf(body: xdr.ManageDataOp): string {
  const raw = body.dataName() as unknown as string | Buffer;
  return Buffer.isBuffer(raw) ? raw.toString('latin1') : String(raw);
}

/** ManageDataOpFrame: sets (reserve paid by the account or its sponsor), changes or deletes a data entry. */
export const manageData: OperationHandler<xdr.ManageDataOp> = {
  threshold: () => 'medium',

  checkValid(body) {
    const name = nameOf(body);
    if (name.length < 1 || name.length > 64 || ![...name].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0x7e)) {
      return opResult('manageData', 'manageDataInvalidName');
    }
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const name = nameOf(body);
    const value = body.dataValue();
    const existing = ltx.data(ctx.source.id, name);
    if (value === null || value === undefined) {
      if (!existing) return { result: opResult('manageData', 'manageDataNameNotFound') };
      removeEntryWithPossibleSponsorship(ltx, existing);
      ltx.remove(dataKey(ctx.source.id, name));
      return { result: opResult('manageData', 'manageDataSuccess') };
    }
    const encoded = Buffer.from(value).toString('base64');
    if (existing) {
      ltx.put({ ...existing, value: encoded, lastModifiedLedger: header.ledgerSeq });
      return { result: opResult('manageData', 'manageDataSuccess') };
    }
    const entry: DataEntry = { type: 'data', accountId: ctx.source.id, name, value: encoded, lastModifiedLedger: header.ledgerSeq };
    const created = createEntryWithPossibleSponsorship(ltx, entry);
    const refused = sponsorshipRefusal(created.result, () => opResult('manageData', 'manageDataLowReserve'));
    if (refused) return { result: refused };
    ltx.put(created.entry);
    return {
      result: opResult('manageData', 'manageDataSuccess'),
      recordFields: created.entry.sponsor ? { sponsor: created.entry.sponsor } : undefined,
    };
  },

  describe(body, ctx) {
    const value = body.dataValue();
    return {
      type: 'manage_data',
      typeI: 10,
      fields: { name: nameOf(body), value: value ? Buffer.from(value).toString('base64') : '' },
      participants: [ctx.source.id],
      isPayment: false,
    };
  },
};
