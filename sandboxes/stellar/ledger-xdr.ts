import { Asset, Keypair, StrKey, xdr } from '@stellar/stellar-sdk';
import type { AccountEntry, ClaimableBalanceEntry, DataEntry, Entry, LedgerLayer, TrustlineEntry } from './ledger-state';

/**
 * The sandbox's entries as stellar-core's LedgerEntry XDR, and a layer's writes as LedgerEntryChanges, for the
 * `result_meta_xdr` and `fee_meta_xdr` Horizon serves. Contract balances and handler storage are the sandbox's own
 * stand-ins for Soroban contract data and are left out of the meta.
 */

const int64 = (v: bigint) => xdr.Int64.fromString(v.toString());
const accountId = (id: string) => Keypair.fromPublicKey(id).xdrAccountId();

function signerKey(key: string): xdr.SignerKey {
  switch (key[0]) {
    case 'G':
      return xdr.SignerKey.signerKeyTypeEd25519(StrKey.decodeEd25519PublicKey(key));
    case 'T':
      return xdr.SignerKey.signerKeyTypePreAuthTx(StrKey.decodePreAuthTx(key));
    case 'X':
      return xdr.SignerKey.signerKeyTypeHashX(StrKey.decodeSha256Hash(key));
    default:
      return xdr.SignerKey.signerKeyTypeEd25519SignedPayload(xdr.SignerKeyEd25519SignedPayload.fromXDR(StrKey.decodeSignedPayload(key)));
  }
}

function accountXdr(acc: AccountEntry): xdr.AccountEntry {
  const needsV3 = acc.seqLedger > 0;
  const needsV2 = needsV3 || acc.numSponsored > 0 || acc.numSponsoring > 0 || acc.signers.some((s) => s.sponsor);
  let ext = new xdr.AccountEntryExt(0);
  if (needsV2) {
    const v2 = new xdr.AccountEntryExtensionV2({
      numSponsored: acc.numSponsored,
      numSponsoring: acc.numSponsoring,
      signerSponsoringIDs: acc.signers.map((s) => (s.sponsor ? accountId(s.sponsor) : undefined)),
      ext: needsV3
        ? new xdr.AccountEntryExtensionV2Ext(
            3,
            new xdr.AccountEntryExtensionV3({
              ext: new xdr.ExtensionPoint(0),
              seqLedger: acc.seqLedger,
              seqTime: xdr.Uint64.fromString(acc.seqTime.toString()),
            }),
          )
        : new xdr.AccountEntryExtensionV2Ext(0),
    });
    ext = new xdr.AccountEntryExt(
      1,
      new xdr.AccountEntryExtensionV1({
        liabilities: new xdr.Liabilities({ buying: int64(0n), selling: int64(0n) }),
        ext: new xdr.AccountEntryExtensionV1Ext(2, v2),
      }),
    );
  }
  return new xdr.AccountEntry({
    accountId: accountId(acc.accountId),
    balance: int64(acc.balance),
    seqNum: int64(acc.seqNum),
    numSubEntries: acc.numSubEntries,
    inflationDest: acc.inflationDest ? accountId(acc.inflationDest) : null,
    flags: acc.flags,
    homeDomain: acc.homeDomain,
    thresholds: Buffer.from(acc.thresholds),
    signers: acc.signers.map((s) => new xdr.Signer({ key: signerKey(s.key), weight: s.weight })),
    ext,
  });
}

function trustlineXdr(line: TrustlineEntry): xdr.TrustLineEntry {
  return new xdr.TrustLineEntry({
    accountId: accountId(line.accountId),
    asset: new Asset(line.asset.code, line.asset.issuer).toTrustLineXDRObject(),
    balance: int64(line.balance),
    limit: int64(line.limit),
    flags: line.flags,
    ext: new xdr.TrustLineEntryExt(0),
  });
}

function dataXdr(data: DataEntry): xdr.DataEntry {
  return new xdr.DataEntry({
    accountId: accountId(data.accountId),
    dataName: data.name,
    dataValue: Buffer.from(data.value, 'base64'),
    ext: new xdr.DataEntryExt(0),
  });
}

function assetXdr(entry: ClaimableBalanceEntry): xdr.Asset {
  return entry.asset.type === 'native' ? Asset.native().toXDRObject() : new Asset(entry.asset.code, entry.asset.issuer).toXDRObject();
}

const balanceIdXdr = (entry: ClaimableBalanceEntry) => xdr.ClaimableBalanceId.claimableBalanceIdTypeV0(Buffer.from(entry.balanceId, 'hex'));

function claimableBalanceXdr(entry: ClaimableBalanceEntry): xdr.ClaimableBalanceEntry {
  return new xdr.ClaimableBalanceEntry({
    balanceId: balanceIdXdr(entry),
    claimants: entry.claimants.map((c) =>
      xdr.Claimant.claimantTypeV0(
        new xdr.ClaimantV0({ destination: accountId(c.destination), predicate: xdr.ClaimPredicate.fromXDR(c.predicate, 'base64') }),
      ),
    ),
    asset: assetXdr(entry),
    amount: int64(entry.amount),
    ext:
      entry.flags === 0
        ? new xdr.ClaimableBalanceEntryExt(0)
        : new xdr.ClaimableBalanceEntryExt(
            1,
            new xdr.ClaimableBalanceEntryExtensionV1({ ext: new xdr.ClaimableBalanceEntryExtensionV1Ext(0), flags: entry.flags }),
          ),
  });
}

export function ledgerEntryXdr(entry: Entry): xdr.LedgerEntry | null {
  let data: xdr.LedgerEntryData;
  let lastModified: number;
  switch (entry.type) {
    case 'account':
      data = xdr.LedgerEntryData.account(accountXdr(entry));
      lastModified = entry.lastModifiedLedger;
      break;
    case 'trustline':
      data = xdr.LedgerEntryData.trustline(trustlineXdr(entry));
      lastModified = entry.lastModifiedLedger;
      break;
    case 'data':
      data = xdr.LedgerEntryData.data(dataXdr(entry));
      lastModified = entry.lastModifiedLedger;
      break;
    case 'claimable_balance':
      data = xdr.LedgerEntryData.claimableBalance(claimableBalanceXdr(entry));
      lastModified = entry.lastModifiedLedger;
      break;
    default:
      return null;
  }
  const ext = entry.sponsor
    ? new xdr.LedgerEntryExt(
        1,
        new xdr.LedgerEntryExtensionV1({ sponsoringId: accountId(entry.sponsor), ext: new xdr.LedgerEntryExtensionV1Ext(0) }),
      )
    : new xdr.LedgerEntryExt(0);
  return new xdr.LedgerEntry({ lastModifiedLedgerSeq: lastModified, data, ext });
}

function ledgerKeyXdr(entry: Entry): xdr.LedgerKey | null {
  switch (entry.type) {
    case 'account':
      return xdr.LedgerKey.account(new xdr.LedgerKeyAccount({ accountId: accountId(entry.accountId) }));
    case 'trustline':
      return xdr.LedgerKey.trustline(
        new xdr.LedgerKeyTrustLine({
          accountId: accountId(entry.accountId),
          asset: new Asset(entry.asset.code, entry.asset.issuer).toTrustLineXDRObject(),
        }),
      );
    case 'data':
      return xdr.LedgerKey.data(new xdr.LedgerKeyData({ accountId: accountId(entry.accountId), dataName: entry.name }));
    case 'claimable_balance':
      return xdr.LedgerKey.claimableBalance(new xdr.LedgerKeyClaimableBalance({ balanceId: balanceIdXdr(entry) }));
    default:
      return null;
  }
}

/** A layer's writes as stellar-core reports them: STATE before UPDATED/REMOVED, CREATED for new entries. */
export function layerChanges(layer: LedgerLayer): xdr.LedgerEntryChange[] {
  const changes: xdr.LedgerEntryChange[] = [];
  for (const [key, after] of layer.changes()) {
    const before = layer.before(key);
    if (before === undefined && after === null) continue;
    if (before === undefined) {
      const created = ledgerEntryXdr(after!);
      if (created) changes.push(xdr.LedgerEntryChange.ledgerEntryCreated(created));
      continue;
    }
    const state = ledgerEntryXdr(before);
    if (!state) continue;
    changes.push(xdr.LedgerEntryChange.ledgerEntryState(state));
    if (after === null) {
      const k = ledgerKeyXdr(before);
      if (k) changes.push(xdr.LedgerEntryChange.ledgerEntryRemoved(k));
    } else {
      const updated = ledgerEntryXdr(after);
      if (updated) changes.push(xdr.LedgerEntryChange.ledgerEntryUpdated(updated));
    }
  }
  return changes;
}
