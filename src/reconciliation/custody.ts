import { StrKey } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { AppError } from '../errors';
import { formatAmount, parseAmount, parseSignedAmount } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { listWalletCustody } from '../wallets/wallets-repository';

export interface CustodyLine {
  user_id: string;
  address: string;
  /** What the ledger says the user's Stellar account holds: available + reserved + in-flight withdrawals (USD). */
  ledger: string;
  /** The account's USDC balance on chain (null when the account does not exist). */
  on_chain: string | null;
  /** on_chain − ledger; anything but "0" is drift. */
  drift: string;
}

export interface CustodyReport {
  checked_at: string;
  users: number;
  totals: { ledger: string; on_chain: string; drift: string };
  /** Only the lines that drift. */
  drifted: CustodyLine[];
}

/**
 * Compares, per user wallet and in total, what the ledger says is in custody on Stellar with the USDC each account
 * holds on chain. A withdrawal whose payment has landed but whose ledger finalisation has not yet run shows as
 * transient drift of its amount.
 */
export async function reconcileCustody(
  pool: Pool,
  network: StellarNetwork,
  opts: { userIds?: string[]; concurrency?: number } = {},
): Promise<CustodyReport> {
  const rows = await listWalletCustody(pool, opts.userIds);
  const lines: CustodyLine[] = new Array(rows.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const r = rows[i];
      const chain = await usdcOnChain(network, r.public_key);
      const ledger = BigInt(r.ledger);
      lines[i] = {
        user_id: r.user_id,
        address: r.public_key,
        ledger: formatAmount(ledger),
        on_chain: chain === null ? null : formatAmount(chain),
        drift: formatAmount((chain ?? 0n) - ledger),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, rows.length) }, worker));
  const sum = (pick: (l: CustodyLine) => string | null) => lines.reduce((t, l) => t + parseSignedAmount(pick(l) ?? '0'), 0n);
  const totalLedger = sum((l) => l.ledger);
  const totalChain = sum((l) => l.on_chain);
  return {
    checked_at: new Date().toISOString(),
    users: lines.length,
    totals: { ledger: formatAmount(totalLedger), on_chain: formatAmount(totalChain), drift: formatAmount(totalChain - totalLedger) },
    drifted: lines.filter((l) => l.drift !== '0'),
  };
}

async function usdcOnChain(network: StellarNetwork, address: string): Promise<bigint | null> {
  // A stored key that is no account id cannot hold anything: its line shows null (and drift if the ledger holds any),
  // instead of one bad row failing the whole report.
  if (!StrKey.isValidEd25519PublicKey(address)) return null;
  try {
    const account = await network.horizon.loadAccount(address);
    const line = account.balances.find(
      (b) => b.asset_type === 'credit_alphanum4' && b.asset_code === network.usdc.code && b.asset_issuer === network.usdc.issuer,
    );
    return line ? parseAmount(line.balance, { allowZero: true }) : 0n;
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    if (status === 404) return null;
    throw new AppError('PROVIDER_ERROR', 'Horizon could not be asked for on-chain balances', { horizon_status: status ?? null, address });
  }
}
