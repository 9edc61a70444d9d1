import type { xdr } from '@stellar/stellar-sdk';
import { formatStroops, toBigInt } from '../amounts';
import { assetFields, readAsset, type CreditAsset } from '../assets';
import {
  AUTHORIZED_FLAG,
  AUTH_CLAWBACK_ENABLED_FLAG,
  AUTH_REQUIRED_FLAG,
  TRUSTLINE_CLAWBACK_ENABLED_FLAG,
  trustlineKey,
  type TrustlineEntry,
} from '../ledger-state';
import { opOuter, opResult, sponsorshipRefusal } from '../results';
import { createEntryWithPossibleSponsorship, removeEntryWithPossibleSponsorship } from '../sponsorship';
import type { OperationHandler } from './types';

function lineAsset(body: xdr.ChangeTrustOp): { asset?: CreditAsset; native?: true; valid: boolean; poolShare?: true } {
  const read = readAsset(body.line());
  if ('poolShare' in read) return { poolShare: true, valid: true };
  if (read.asset.type === 'native') return { native: true, valid: true };
  return { asset: { code: read.asset.code, issuer: read.asset.issuer }, valid: read.valid };
}

/**
 * ChangeTrustOpFrame for credit assets: creates a trustline (reserve paid by the account or its sponsor),
 * changes its limit, or removes it with limit 0 (only when its balance is 0). Liquidity-pool share trustlines are
 * not modelled: they are refused as not supported.
 */
export const changeTrust: OperationHandler<xdr.ChangeTrustOp> = {
  threshold: () => 'medium',

  checkValid(body, ctx) {
    const line = lineAsset(body);
    if (line.poolShare) return opOuter('opNotSupported');
    if (toBigInt(body.limit()) < 0n) return opResult('changeTrust', 'changeTrustMalformed');
    if (!line.valid || line.native) return opResult('changeTrust', 'changeTrustMalformed');
    if (line.asset!.issuer === ctx.source.id) return opResult('changeTrust', 'changeTrustMalformed');
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const asset = lineAsset(body).asset!;
    const limit = toBigInt(body.limit());
    const existing = ltx.trustline(ctx.source.id, asset);

    if (existing) {
      if (limit < existing.balance) return { result: opResult('changeTrust', 'changeTrustInvalidLimit') };
      if (limit === 0n) {
        removeEntryWithPossibleSponsorship(ltx, existing);
        ltx.remove(trustlineKey(existing.accountId, asset));
        return { result: opResult('changeTrust', 'changeTrustSuccess') };
      }
      if (!ltx.account(asset.issuer)) return { result: opResult('changeTrust', 'changeTrustNoIssuer') };
      ltx.put({ ...existing, limit, lastModifiedLedger: header.ledgerSeq });
      return { result: opResult('changeTrust', 'changeTrustSuccess') };
    }

    if (limit === 0n) return { result: opResult('changeTrust', 'changeTrustInvalidLimit') };
    const issuer = ltx.account(asset.issuer);
    if (!issuer) return { result: opResult('changeTrust', 'changeTrustNoIssuer') };

    let flags = 0;
    if (!(issuer.flags & AUTH_REQUIRED_FLAG)) flags |= AUTHORIZED_FLAG;
    if (issuer.flags & AUTH_CLAWBACK_ENABLED_FLAG) flags |= TRUSTLINE_CLAWBACK_ENABLED_FLAG;
    const line: TrustlineEntry = {
      type: 'trustline',
      accountId: ctx.source.id,
      asset,
      balance: 0n,
      limit,
      flags,
      lastModifiedLedger: header.ledgerSeq,
    };
    const created = createEntryWithPossibleSponsorship(ltx, line);
    const refused = sponsorshipRefusal(created.result, () => opResult('changeTrust', 'changeTrustLowReserve'));
    if (refused) return { result: refused };
    ltx.put(created.entry);
    return {
      result: opResult('changeTrust', 'changeTrustSuccess'),
      recordFields: created.entry.sponsor ? { sponsor: created.entry.sponsor } : undefined,
    };
  },

  describe(body, ctx) {
    const read = readAsset(body.line());
    const asset = 'poolShare' in read ? undefined : read.asset;
    return {
      type: 'change_trust',
      typeI: 6,
      fields: {
        ...(asset ? assetFields(asset) : { asset_type: 'liquidity_pool_shares' }),
        limit: formatStroops(toBigInt(body.limit())),
        trustee: asset && asset.type !== 'native' ? asset.issuer : undefined,
        trustor: ctx.source.id,
        ...(ctx.source.muxed ? { trustor_muxed: ctx.source.muxed, trustor_muxed_id: ctx.source.muxedId } : {}),
      },
      participants: [ctx.source.id],
      isPayment: false,
    };
  },
};
