import type { AssetValue, CreditAsset } from './assets';
import { assetKey } from './assets';

/**
 * The sandbox ledger: accounts, trustlines and data entries with the fields stellar-core keeps for them
 * (balances in stroops, sequence numbers, signers, thresholds, flags, sponsorship counters), plus the
 * transaction-scoped sponsorship records of CAP-33. Entries are plain immutable values; every change writes a
 * new value into a layer (see `LedgerLayer`), so a transaction or an operation is applied in a child layer and
 * either committed into its parent or dropped, like stellar-core's nested LedgerTxn.
 */

export const BASE_FEE = 100n;
export const BASE_RESERVE = 5_000_000n;
/** stellar-core's getAccountSubEntryLimit. */
export const SUBENTRY_LIMIT = 1000;
export const MAX_SIGNERS = 20;

/** Account flags (AccountFlags in the XDR). */
export const AUTH_REQUIRED_FLAG = 0x1;
export const AUTH_REVOCABLE_FLAG = 0x2;
export const AUTH_IMMUTABLE_FLAG = 0x4;
export const AUTH_CLAWBACK_ENABLED_FLAG = 0x8;
export const MASK_ACCOUNT_FLAGS = 0xf;

/** Trustline flags (TrustLineFlags in the XDR). */
export const AUTHORIZED_FLAG = 0x1;
export const AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG = 0x2;
export const TRUSTLINE_CLAWBACK_ENABLED_FLAG = 0x4;

export interface Signer {
  /** StrKey of the signer: G... (ed25519), T... (pre-authorized transaction), X... (sha256 hash). */
  key: string;
  weight: number;
  /** Account paying this signer's reserve (CAP-33), if sponsored. */
  sponsor?: string;
}

export interface AccountEntry {
  type: 'account';
  accountId: string;
  balance: bigint;
  seqNum: bigint;
  /** Ledger and close time (seconds) of the last sequence number change by a transaction; 0 if never. */
  seqLedger: number;
  seqTime: bigint;
  numSubEntries: number;
  inflationDest?: string;
  flags: number;
  homeDomain: string;
  /** [master weight, low, medium, high]. */
  thresholds: [number, number, number, number];
  /** Kept sorted by key, as stellar-core keeps them. */
  signers: Signer[];
  numSponsored: number;
  numSponsoring: number;
  /** Account paying this account's base reserves (CAP-33), if sponsored. */
  sponsor?: string;
  lastModifiedLedger: number;
}

export interface TrustlineEntry {
  type: 'trustline';
  accountId: string;
  asset: CreditAsset;
  balance: bigint;
  limit: bigint;
  flags: number;
  sponsor?: string;
  lastModifiedLedger: number;
}

export interface DataEntry {
  type: 'data';
  accountId: string;
  name: string;
  /** Base64 of the value bytes. */
  value: string;
  sponsor?: string;
  lastModifiedLedger: number;
}

/** "`sponsoredId` is being sponsored by `sponsorId`": exists only between begin and end sponsoring, within one tx. */
export interface SponsorshipEntry {
  type: 'sponsorship';
  sponsoredId: string;
  sponsorId: string;
}

/** How many accounts `sponsorId` is currently sponsoring within the transaction. */
export interface SponsorshipCounterEntry {
  type: 'sponsorship_counter';
  sponsorId: string;
  count: number;
}

/**
 * A contract's balance of an asset (what a Stellar Asset Contract keeps for a C... address), for host-function
 * handlers that move assets into and out of contracts.
 */
export interface ContractBalanceEntry {
  type: 'contract_balance';
  contractId: string;
  asset: AssetValue;
  balance: bigint;
  lastModifiedLedger: number;
}

/** A host-function handler's own persistent storage: one string value under a key, per contract. */
export interface ContractDataEntry {
  type: 'contract_data';
  contractId: string;
  key: string;
  value: string;
  lastModifiedLedger: number;
}

/** One claimant of a claimable balance: its account and its predicate (ClaimPredicate XDR, base64, relative times made absolute). */
export interface Claimant {
  destination: string;
  predicate: string;
}

/**
 * A claimable balance (CAP-23, stellar-core's ClaimableBalanceEntry): an amount of an asset held by the ledger until
 * one of its claimants claims it. It belongs to no account (not a subentry); its reserve (one base reserve per
 * claimant) is always sponsored, by its creator or the creator's sponsor. `balanceId` is the hex of the 32-byte
 * hash (ClaimableBalanceID v0).
 */
export interface ClaimableBalanceEntry {
  type: 'claimable_balance';
  balanceId: string;
  claimants: Claimant[];
  asset: AssetValue;
  amount: bigint;
  sponsor: string;
  /** ClaimableBalanceFlags: CLAIMABLE_BALANCE_CLAWBACK_ENABLED_FLAG = 0x1. */
  flags: number;
  lastModifiedLedger: number;
}

export type LedgerEntry = AccountEntry | TrustlineEntry | DataEntry;
export type ContractEntry = ContractBalanceEntry | ContractDataEntry;
export type StoredEntry = LedgerEntry | ContractEntry | ClaimableBalanceEntry;
export type Entry = StoredEntry | SponsorshipEntry | SponsorshipCounterEntry;

export const accountKey = (accountId: string) => `account:${accountId}`;
export const trustlineKey = (accountId: string, asset: CreditAsset) => `trustline:${accountId}:${assetKey(asset)}`;
export const dataKey = (accountId: string, name: string) => `data:${accountId}:${Buffer.from(name, 'latin1').toString('hex')}`;
export const contractBalanceKey = (contractId: string, asset: AssetValue) =>
  `contract_balance:${contractId}:${asset.type === 'native' ? 'native' : assetKey(asset)}`;
export const contractDataKey = (contractId: string, key: string) =>
  `contract_data:${contractId}:${Buffer.from(key, 'utf8').toString('hex')}`;
export const claimableBalanceKey = (balanceId: string) => `claimable_balance:${balanceId}`;
export const sponsorshipKey = (sponsoredId: string) => `sponsorship:${sponsoredId}`;
export const sponsorshipCounterKey = (sponsorId: string) => `sponsorship_counter:${sponsorId}`;

export function keyOf(entry: Entry): string {
  switch (entry.type) {
    case 'account':
      return accountKey(entry.accountId);
    case 'trustline':
      return trustlineKey(entry.accountId, entry.asset);
    case 'data':
      return dataKey(entry.accountId, entry.name);
    case 'contract_balance':
      return contractBalanceKey(entry.contractId, entry.asset);
    case 'contract_data':
      return contractDataKey(entry.contractId, entry.key);
    case 'claimable_balance':
      return claimableBalanceKey(entry.balanceId);
    case 'sponsorship':
      return sponsorshipKey(entry.sponsoredId);
    case 'sponsorship_counter':
      return sponsorshipCounterKey(entry.sponsorId);
  }
}

export interface LedgerReader {
  get(key: string): Entry | undefined;
}

/**
 * A set of pending writes over a parent reader. `null` marks a deletion. `commit()` moves the writes into the
 * parent layer (or store); dropping the layer discards them.
 */
export class LedgerLayer implements LedgerReader {
  private readonly writes = new Map<string, Entry | null>();

  constructor(private readonly parent: LedgerReader & { applyWrites(writes: Map<string, Entry | null>): void }) {}

  get(key: string): Entry | undefined {
    if (this.writes.has(key)) return this.writes.get(key) ?? undefined;
    return this.parent.get(key);
  }

  /** The value this layer's parent holds (the state before this layer's writes). */
  before(key: string): Entry | undefined {
    return this.parent.get(key);
  }

  put(entry: Entry): void {
    this.writes.set(keyOf(entry), entry);
  }

  remove(key: string): void {
    this.writes.set(key, null);
  }

  child(): LedgerLayer {
    return new LedgerLayer(this);
  }

  applyWrites(writes: Map<string, Entry | null>): void {
    for (const [k, v] of writes) this.writes.set(k, v);
  }

  commit(): void {
    this.parent.applyWrites(this.writes);
    this.writes.clear();
  }

  /** The writes of this layer, in write order. */
  changes(): Array<[string, Entry | null]> {
    return [...this.writes];
  }

  get size(): number {
    return this.writes.size;
  }

  // Typed accessors.
  account(id: string): AccountEntry | undefined {
    return this.get(accountKey(id)) as AccountEntry | undefined;
  }

  trustline(id: string, asset: CreditAsset): TrustlineEntry | undefined {
    return this.get(trustlineKey(id, asset)) as TrustlineEntry | undefined;
  }

  data(id: string, name: string): DataEntry | undefined {
    return this.get(dataKey(id, name)) as DataEntry | undefined;
  }

  contractBalance(contractId: string, asset: AssetValue): ContractBalanceEntry | undefined {
    return this.get(contractBalanceKey(contractId, asset)) as ContractBalanceEntry | undefined;
  }

  contractData(contractId: string, key: string): ContractDataEntry | undefined {
    return this.get(contractDataKey(contractId, key)) as ContractDataEntry | undefined;
  }

  claimableBalance(balanceId: string): ClaimableBalanceEntry | undefined {
    return this.get(claimableBalanceKey(balanceId)) as ClaimableBalanceEntry | undefined;
  }

  sponsorship(sponsoredId: string): SponsorshipEntry | undefined {
    return this.get(sponsorshipKey(sponsoredId)) as SponsorshipEntry | undefined;
  }

  sponsorshipCounter(sponsorId: string): SponsorshipCounterEntry | undefined {
    return this.get(sponsorshipCounterKey(sponsorId)) as SponsorshipCounterEntry | undefined;
  }
}

/**
 * The closed ledger: every live entry, with an index of each account's trustlines and data entries so Horizon's
 * account resource can list them.
 */
export class LedgerStore implements LedgerReader {
  private readonly entries = new Map<string, StoredEntry>();
  private readonly byAccount = new Map<string, Set<string>>();

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  applyWrites(writes: Map<string, Entry | null>): void {
    for (const [key, value] of writes) {
      const previous = this.entries.get(key);
      if (previous && previous.type !== 'account' && previous.type !== 'claimable_balance')
        this.byAccount.get(ownerOf(previous))?.delete(key);
      if (value === null) {
        this.entries.delete(key);
        continue;
      }
      if (value.type === 'sponsorship' || value.type === 'sponsorship_counter') {
        throw new Error(`transaction-scoped entry ${key} reached the closed ledger`);
      }
      this.entries.set(key, value);
      if (value.type !== 'account' && value.type !== 'claimable_balance') {
        let set = this.byAccount.get(ownerOf(value));
        if (!set) this.byAccount.set(ownerOf(value), (set = new Set()));
        set.add(key);
      }
    }
  }

  account(id: string): AccountEntry | undefined {
    return this.entries.get(accountKey(id)) as AccountEntry | undefined;
  }

  trustlinesOf(id: string): TrustlineEntry[] {
    return [...(this.byAccount.get(id) ?? [])].map((k) => this.entries.get(k)).filter((e): e is TrustlineEntry => e?.type === 'trustline');
  }

  dataOf(id: string): DataEntry[] {
    return [...(this.byAccount.get(id) ?? [])].map((k) => this.entries.get(k)).filter((e): e is DataEntry => e?.type === 'data');
  }

  contractEntriesOf(contractId: string): ContractEntry[] {
    return [...(this.byAccount.get(contractId) ?? [])]
      .map((k) => this.entries.get(k))
      .filter((e): e is ContractEntry => e?.type === 'contract_balance' || e?.type === 'contract_data');
  }

  all(): StoredEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  claimableBalances(): ClaimableBalanceEntry[] {
    return [...this.entries.values()].filter((e): e is ClaimableBalanceEntry => e.type === 'claimable_balance');
  }

  claimableBalance(balanceId: string): ClaimableBalanceEntry | undefined {
    return this.entries.get(claimableBalanceKey(balanceId)) as ClaimableBalanceEntry | undefined;
  }
}

/** The account (G...) or contract (C...) an entry belongs to (claimable balances belong to none). */
export function ownerOf(entry: Exclude<StoredEntry, ClaimableBalanceEntry>): string {
  return entry.type === 'contract_balance' || entry.type === 'contract_data' ? entry.contractId : entry.accountId;
}

/** stellar-core's getMinBalance: (2 + subentries + sponsoring - sponsored) base reserves. */
export function minBalance(acc: AccountEntry): bigint {
  return BigInt(2 + acc.numSubEntries + acc.numSponsoring - acc.numSponsored) * BASE_RESERVE;
}

/** stellar-core's getAvailableBalance for native: balance above the minimum (no offers, so no liabilities). */
export function availableBalance(acc: AccountEntry): bigint {
  return acc.balance - minBalance(acc);
}

export function newAccount(accountId: string, balance: bigint, seqNum: bigint, ledger: number): AccountEntry {
  return {
    type: 'account',
    accountId,
    balance,
    seqNum,
    seqLedger: 0,
    seqTime: 0n,
    numSubEntries: 0,
    flags: 0,
    homeDomain: '',
    thresholds: [1, 0, 0, 0],
    signers: [],
    numSponsored: 0,
    numSponsoring: 0,
    lastModifiedLedger: ledger,
  };
}

/** stellar-core's getStartingSequenceNumber: new accounts start at ledgerSeq << 32. */
export function startingSequenceNumber(ledgerSeq: number): bigint {
  return BigInt(ledgerSeq) << 32n;
}

/** The signers that can authorize for an account: its master key (when its weight is not 0) and its signers. */
export function accountSigners(acc: AccountEntry): Array<{ key: string; weight: number }> {
  const list: Array<{ key: string; weight: number }> = [];
  if (acc.thresholds[0] > 0) list.push({ key: acc.accountId, weight: acc.thresholds[0] });
  for (const s of acc.signers) list.push({ key: s.key, weight: s.weight });
  return list;
}
