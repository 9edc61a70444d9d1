import {
  BASE_RESERVE,
  SUBENTRY_LIMIT,
  availableBalance,
  minBalance,
  sponsorshipCounterKey,
  sponsorshipKey,
  type AccountEntry,
  type LedgerEntry,
  type LedgerLayer,
} from './ledger-state';

/**
 * CAP-33 reserve sponsorship, as stellar-core's SponsorshipUtils: creating or removing an entry either moves
 * reserve onto the account that owns it, or (between begin/end sponsoring future reserves) onto its sponsor.
 */
export type SponsorshipResult = 'success' | 'low_reserve' | 'too_many_subentries' | 'too_many_sponsoring';

const UINT32_MAX = 0xffffffff;

/** Base reserves an entry costs: 2 for an account, 1 for a trustline or data entry. */
function multiplier(entry: LedgerEntry): number {
  return entry.type === 'account' ? 2 : 1;
}

function tooManySubentries(acc: AccountEntry, mult: number): boolean {
  return acc.numSubEntries > SUBENTRY_LIMIT - mult || acc.numSponsoring + acc.numSubEntries + mult > UINT32_MAX;
}

function tooManySponsoring(acc: AccountEntry, mult: number): boolean {
  return acc.numSponsoring > UINT32_MAX - mult || acc.numSponsoring + acc.numSubEntries + mult > UINT32_MAX;
}

function mustAccount(ltx: LedgerLayer, id: string): AccountEntry {
  const acc = ltx.account(id);
  if (!acc) throw new Error(`account ${id} is missing from the ledger`);
  return acc;
}

/**
 * Reserves a new entry, writing the owner's (and the sponsor's) counters into `ltx`. Returns the entry to store:
 * with `sponsor` set when sponsored, and for an account entry with its own counters updated. The caller stores it.
 */
export function createEntryWithPossibleSponsorship<E extends LedgerEntry>(
  ltx: LedgerLayer,
  entry: E,
): { result: SponsorshipResult; entry: E } {
  const mult = multiplier(entry);
  const owner: AccountEntry = entry.type === 'account' ? entry : mustAccount(ltx, entry.accountId);
  const sponsorship = ltx.sponsorship(owner.accountId);

  if (sponsorship) {
    const sponsor = mustAccount(ltx, sponsorship.sponsorId);
    if (entry.type !== 'account' && tooManySubentries(owner, mult)) return { result: 'too_many_subentries', entry };
    if (availableBalance(sponsor) < BigInt(mult) * BASE_RESERVE) return { result: 'low_reserve', entry };
    if (tooManySponsoring(sponsor, mult)) return { result: 'too_many_sponsoring', entry };
    ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring + mult });
    const updatedOwner: AccountEntry = {
      ...owner,
      numSponsored: owner.numSponsored + mult,
      numSubEntries: entry.type === 'account' ? owner.numSubEntries : owner.numSubEntries + mult,
    };
    if (entry.type === 'account') return { result: 'success', entry: { ...updatedOwner, sponsor: sponsor.accountId } as E };
    ltx.put(updatedOwner);
    return { result: 'success', entry: { ...entry, sponsor: sponsor.accountId } };
  }

  if (entry.type === 'account') {
    if (entry.balance < minBalance(entry)) return { result: 'low_reserve', entry };
    return { result: 'success', entry };
  }
  if (tooManySubentries(owner, mult)) return { result: 'too_many_subentries', entry };
  if (availableBalance(owner) < BigInt(mult) * BASE_RESERVE) return { result: 'low_reserve', entry };
  ltx.put({ ...owner, numSubEntries: owner.numSubEntries + mult });
  return { result: 'success', entry };
}

/** Releases a removed subentry's reserve from its owner, or from its sponsor when sponsored. */
export function removeEntryWithPossibleSponsorship(ltx: LedgerLayer, entry: LedgerEntry): void {
  if (entry.type === 'account') throw new Error('account entries are not removed through sponsorship utilities');
  const mult = multiplier(entry);
  const owner = mustAccount(ltx, entry.accountId);
  if (entry.sponsor) {
    const sponsor = mustAccount(ltx, entry.sponsor);
    ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring - mult });
    const fresh = mustAccount(ltx, entry.accountId);
    ltx.put({ ...fresh, numSponsored: fresh.numSponsored - mult, numSubEntries: fresh.numSubEntries - mult });
    return;
  }
  ltx.put({ ...owner, numSubEntries: owner.numSubEntries - mult });
}

/**
 * Reserves a new signer on `accountId`; returns the sponsor to record on the signer, if any. Writes counters.
 */
export function createSignerWithPossibleSponsorship(ltx: LedgerLayer, accountId: string): { result: SponsorshipResult; sponsor?: string } {
  const acc = mustAccount(ltx, accountId);
  const sponsorship = ltx.sponsorship(accountId);
  if (sponsorship) {
    const sponsor = mustAccount(ltx, sponsorship.sponsorId);
    if (tooManySubentries(acc, 1)) return { result: 'too_many_subentries' };
    if (availableBalance(sponsor) < BASE_RESERVE) return { result: 'low_reserve' };
    if (tooManySponsoring(sponsor, 1)) return { result: 'too_many_sponsoring' };
    ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring + 1 });
    const fresh = mustAccount(ltx, accountId);
    ltx.put({ ...fresh, numSubEntries: fresh.numSubEntries + 1, numSponsored: fresh.numSponsored + 1 });
    return { result: 'success', sponsor: sponsor.accountId };
  }
  if (tooManySubentries(acc, 1)) return { result: 'too_many_subentries' };
  if (availableBalance(acc) < BASE_RESERVE) return { result: 'low_reserve' };
  ltx.put({ ...acc, numSubEntries: acc.numSubEntries + 1 });
  return { result: 'success' };
}

/** Releases a removed signer's reserve (from its sponsor when sponsored). Writes counters. */
export function removeSignerWithPossibleSponsorship(ltx: LedgerLayer, accountId: string, sponsor?: string): void {
  if (sponsor) {
    const s = mustAccount(ltx, sponsor);
    ltx.put({ ...s, numSponsoring: s.numSponsoring - 1 });
    const acc = mustAccount(ltx, accountId);
    ltx.put({ ...acc, numSubEntries: acc.numSubEntries - 1, numSponsored: acc.numSponsored - 1 });
    return;
  }
  const acc = mustAccount(ltx, accountId);
  ltx.put({ ...acc, numSubEntries: acc.numSubEntries - 1 });
}

/** Whether any begin-sponsoring is still open in this layer (a transaction must close them all). */
export function hasOpenSponsorships(ltx: LedgerLayer): boolean {
  return ltx
    .changes()
    .some(([key, value]) => value !== null && (key.startsWith(sponsorshipKey('')) || key.startsWith(sponsorshipCounterKey(''))));
}

/**
 * createEntryWithPossibleSponsorship for a CLAIMABLE_BALANCE (SponsorshipUtils.cpp): the entry is no subentry and is
 * always sponsored, by the source's sponsor while a begin-sponsoring names the source, else by the source itself.
 * It costs one base reserve per claimant (computeMultiplier), checked against the sponsor's available balance
 * (canCreateEntryWithSponsorship: LOW_RESERVE, TOO_MANY_SPONSORING). Writes the sponsor's counter.
 */
export function sponsorClaimableBalance(
  ltx: LedgerLayer,
  sourceId: string,
  claimants: number,
): { result: SponsorshipResult; sponsor: string } {
  const sponsorId = ltx.sponsorship(sourceId)?.sponsorId ?? sourceId;
  const sponsor = mustAccount(ltx, sponsorId);
  if (availableBalance(sponsor) < BigInt(claimants) * BASE_RESERVE) return { result: 'low_reserve', sponsor: sponsorId };
  if (tooManySponsoring(sponsor, claimants)) return { result: 'too_many_sponsoring', sponsor: sponsorId };
  ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring + claimants });
  return { result: 'success', sponsor: sponsorId };
}

/** removeEntryWithPossibleSponsorship for a CLAIMABLE_BALANCE: its sponsor gets its reserves back. */
export function releaseClaimableBalanceSponsorship(ltx: LedgerLayer, sponsorId: string, claimants: number): void {
  const sponsor = mustAccount(ltx, sponsorId);
  ltx.put({ ...sponsor, numSponsoring: sponsor.numSponsoring - claimants });
}
