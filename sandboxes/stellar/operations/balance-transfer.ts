import { INT64_MAX } from '../amounts';
import type { AssetValue } from '../assets';
import { AUTHORIZED_FLAG, availableBalance, type LedgerLayer } from '../ledger-state';

/**
 * Why crediting or debiting a balance failed, in the words every payment-like operation shares; each operation
 * answers with its own result code for it (PaymentOpFrame, PathPaymentOpFrameBase::updateDestBalance and
 * updateSourceBalance in stellar-core's src/transactions/).
 */
export type TransferRefusal = 'lineFull' | 'noTrust' | 'notAuthorized' | 'underfunded' | 'srcNoTrust' | 'srcNotAuthorized';

/**
 * Adds `amount` of `asset` to `to`: its XLM balance, or its trustline. The issuer of a credit asset holds no
 * trustline for it and takes any amount (paying an issuer burns). The destination account must exist.
 */
export function creditBalance(ltx: LedgerLayer, to: string, asset: AssetValue, amount: bigint, ledger: number): TransferRefusal | null {
  if (asset.type === 'native') {
    const acc = ltx.account(to)!;
    if (acc.balance > INT64_MAX - amount) return 'lineFull';
    ltx.put({ ...acc, balance: acc.balance + amount, lastModifiedLedger: ledger });
    return null;
  }
  if (asset.issuer === to) return null;
  const line = ltx.trustline(to, asset);
  if (!line) return 'noTrust';
  if (!(line.flags & AUTHORIZED_FLAG)) return 'notAuthorized';
  if (line.balance > line.limit - amount) return 'lineFull';
  ltx.put({ ...line, balance: line.balance + amount, lastModifiedLedger: ledger });
  return null;
}

/** Takes `amount` of `asset` from `from` (an issuer sending its own asset mints it). */
export function debitBalance(ltx: LedgerLayer, from: string, asset: AssetValue, amount: bigint, ledger: number): TransferRefusal | null {
  if (asset.type === 'native') {
    const acc = ltx.account(from)!;
    if (amount > availableBalance(acc)) return 'underfunded';
    ltx.put({ ...acc, balance: acc.balance - amount, lastModifiedLedger: ledger });
    return null;
  }
  if (asset.issuer === from) return null;
  const line = ltx.trustline(from, asset);
  if (!line) return 'srcNoTrust';
  if (!(line.flags & AUTHORIZED_FLAG)) return 'srcNotAuthorized';
  if (line.balance < amount) return 'underfunded';
  ltx.put({ ...line, balance: line.balance - amount, lastModifiedLedger: ledger });
  return null;
}
