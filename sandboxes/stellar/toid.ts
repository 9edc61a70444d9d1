/**
 * Horizon's total order ids (TOIDs): a 64-bit number made of the ledger sequence (32 bits), the transaction's
 * 1-based position in the ledger (20 bits) and the operation's 1-based position in the transaction (12 bits).
 * Transactions use operation index 0, ledgers use transaction and operation index 0. Rendered as decimal strings,
 * they are the ids and paging tokens of Horizon's records.
 */
const LEDGER_SHIFT = 32n;
const TX_SHIFT = 12n;
const TX_MASK = (1n << 20n) - 1n;
const OP_MASK = (1n << 12n) - 1n;

export function toid(ledger: number, txIndex = 0, opIndex = 0): bigint {
  return (BigInt(ledger) << LEDGER_SHIFT) | ((BigInt(txIndex) & TX_MASK) << TX_SHIFT) | (BigInt(opIndex) & OP_MASK);
}

export function toidParts(id: bigint): { ledger: number; txIndex: number; opIndex: number } {
  return {
    ledger: Number(id >> LEDGER_SHIFT),
    txIndex: Number((id >> TX_SHIFT) & TX_MASK),
    opIndex: Number(id & OP_MASK),
  };
}

/** The first id after every record of `ledger` (what Horizon's cursor "now" means). */
export function afterLedger(ledger: number): bigint {
  return toid(ledger + 1) - 1n;
}
