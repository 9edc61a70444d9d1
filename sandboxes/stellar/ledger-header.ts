import crypto from 'node:crypto';
import { xdr } from '@stellar/stellar-sdk';
import { BASE_FEE, BASE_RESERVE } from './ledger-state';

export const PROTOCOL_VERSION = 22;
export const MAX_TX_SET_SIZE = 1000;
/** 100 billion XLM: the lumens that exist on a Stellar network from genesis. */
export const TOTAL_COINS = 100_000_000_000n * 10_000_000n;

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();

export interface HeaderInput {
  sequence: number;
  previousHash: Buffer;
  closeTime: bigint;
  /** The TransactionResultPair XDRs of the ledger's transactions, in application order. */
  resultPairs: Buffer[];
  /** The ledger's transaction envelope XDRs. */
  envelopes: Buffer[];
  feePool: bigint;
}

/**
 * A LedgerHeader as stellar-core would close it for this ledger (the sandbox has no SCP and no bucket list: the
 * transaction set hash is the hash of the ledger's envelopes, the bucket list hash a hash of the header chain).
 * Its hash is the ledger's id.
 */
export function buildLedgerHeader(input: HeaderInput): { hash: string; headerXdr: string } {
  const txSetHash = sha256(Buffer.concat([input.previousHash, ...input.envelopes]));
  const txSetResultHash = sha256(Buffer.concat(input.resultPairs));
  const bucketListHash = sha256(Buffer.concat([Buffer.from('sandbox-bucket-list'), input.previousHash, txSetResultHash]));
  const header = new xdr.LedgerHeader({
    ledgerVersion: PROTOCOL_VERSION,
    previousLedgerHash: input.previousHash,
    scpValue: new xdr.StellarValue({
      txSetHash,
      closeTime: xdr.Uint64.fromString(input.closeTime.toString()),
      upgrades: [],
      ext: xdr.StellarValueExt.stellarValueBasic(),
    }),
    txSetResultHash,
    bucketListHash,
    ledgerSeq: input.sequence,
    totalCoins: xdr.Int64.fromString(TOTAL_COINS.toString()),
    feePool: xdr.Int64.fromString(input.feePool.toString()),
    inflationSeq: 0,
    idPool: xdr.Uint64.fromString('0'),
    baseFee: Number(BASE_FEE),
    baseReserve: Number(BASE_RESERVE),
    maxTxSetSize: MAX_TX_SET_SIZE,
    skipList: [Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(32)],
    ext: new xdr.LedgerHeaderExt(0),
  });
  const raw = header.toXDR();
  return { hash: sha256(raw).toString('hex'), headerXdr: raw.toString('base64') };
}
