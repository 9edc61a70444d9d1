import { Keypair } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { Config } from '../../../src/config';
import { parseAmount } from '../../../src/money';
import { treasuryAddress } from '../../../src/treasury/treasury';
import type { CheckResult } from '../types';
import {
  airtmPayoutSweeps,
  escrowOrders,
  platformHeldAccounts,
  signalledOnrampOrders,
  stellarWithdrawals,
  submittedTransactions,
  topupDeliveries,
  type StellarWithdrawal,
} from './checks-repository';
import { hashesOf, type HorizonOperation, operationsOfAll } from './horizon-operations';
import { checkResult, groupBy } from './result';

/** Settled orders whose escrow must have been funded exactly once (a cancelled one may never have been). */
const SETTLED_ORDERS = new Set(['RELEASED', 'REFUNDED', 'CLOSED']);

/**
 * No payment was made twice on chain. Reads, through Horizon, every operation of the accounts the platform holds the
 * keys of (user wallets, on-ramp merchants, the treasury) and:
 * - attributes each transaction to the business key the exactly-once submitter stored it under (stellar_transactions);
 *   a transaction none names (signed outside the submitter, or an envelope replaced after it landed) is a breach, and
 *   so are two on chain for one purpose (a key without its attempt number, e.g. `topup:<id>:treasury`);
 * - matches each withdrawal to Stellar to the payments from the user's wallet to its destination with its amount and
 *   memo: a completed one exactly once, under the hash its row records; a failed one never;
 * - each credited top-up's treasury payment (to the user's wallet, its amount) once, under its delivery hash;
 * - each completed Airtm payout's sweep (its amount from the user's wallet to the treasury) once, under the hash its row
 *   records (`withdrawal:<id>:treasury:<attempt>`); a payment to the treasury for no swept payout is one too many;
 * - each signalled on-ramp order's claimable balance claimed at most once, and once when fulfilled (or reclaimed);
 * - each escrow funded (a transfer from the buyer's wallet to the contract) at most once, and once when settled.
 */
export async function checkPayments(config: Config, pool: Pool, horizonUrl: string): Promise<CheckResult> {
  const accounts = await platformHeldAccounts(pool);
  const treasury =
    (config.PLATFORM_SECRET ? treasuryAddress(Keypair.fromSecret(config.PLATFORM_SECRET)) : null) ?? config.TREASURY_PUBLIC_KEY ?? null;
  if (treasury) accounts.push({ address: treasury, holder: 'the treasury' });
  const held = new Map(accounts.map((a) => [a.address, a.holder]));
  const ops = await operationsOfAll(
    horizonUrl,
    accounts.map((a) => a.address),
  );
  const outgoing = ops.filter((op) => held.has(op.source_account));

  const f = new Findings();
  const keyOf = new Map((await submittedTransactions(pool)).map((t) => [t.hash, t.key]));
  const purposes = new Map<string, Set<string>>(); // purpose → the on-chain transactions that served it
  let unattributed = 0;
  for (const op of outgoing) {
    const hashes = hashesOf(op);
    const key = hashes.map((h) => keyOf.get(h)).find((k) => k !== undefined);
    if (key === undefined) {
      unattributed++;
      f.breach(
        `${op.type} ${op.id} from ${held.get(op.source_account)} (tx ${op.transaction_hash}) was not made by the product's submitter`,
      );
      continue;
    }
    const purpose = key.replace(/:\d+$/, '');
    purposes.set(purpose, (purposes.get(purpose) ?? new Set()).add(hashes[0]));
  }
  for (const [purpose, txs] of purposes)
    if (txs.size > 1) f.twice(`${purpose} was done ${txs.size} times on chain: ${[...txs].join(', ')}`);

  const payments = outgoing.filter((op) => op.type === 'payment' && isUsdc(op, config));
  const withdrawals = checkWithdrawals(await stellarWithdrawals(pool), payments, f);
  const topUps = await checkTopups(pool, treasury, payments, f);
  const sweeps = await checkSweeps(pool, treasury, payments, f);
  const claims = await checkClaims(pool, outgoing, f);
  const fundings = await checkFundings(pool, outgoing, f);
  return checkResult(
    'payments',
    {
      accounts: accounts.length,
      operations_seen: outgoing.length,
      payments_seen: payments.length,
      withdrawals_paid: withdrawals,
      topup_deliveries: topUps,
      payout_sweeps: sweeps,
      onramp_claims: claims,
      escrow_fundings: fundings,
      duplicates: f.duplicates,
      unattributed,
    },
    f.breaches,
  );
}

/** The breaches found, and how many of them are something done twice. */
class Findings {
  readonly breaches: string[] = [];
  duplicates = 0;
  breach(message: string): void {
    this.breaches.push(message);
  }
  twice(message: string): void {
    this.duplicates++;
    this.breaches.push(message);
  }
  /** More than expected is a duplicate; fewer is a payment missing. */
  count(found: number, expected: number, message: string): void {
    if (found > expected) this.twice(message);
    else if (found < expected) this.breach(message);
  }
}

function isUsdc(op: HorizonOperation, config: Config): boolean {
  return op.asset_code === 'USDC' && op.asset_issuer === config.USDC_ISSUER;
}

/** A transaction's memo as a withdrawal row keeps it: hash memos as hex (Horizon shows them in base64). */
function memoOf(op: HorizonOperation): string {
  const t = op.transaction;
  if (!t || t.memo_type === 'none') return 'none';
  const value = t.memo_type === 'hash' || t.memo_type === 'return' ? Buffer.from(t.memo ?? '', 'base64').toString('hex') : (t.memo ?? '');
  return `${t.memo_type}:${value}`;
}

const rowMemo = (w: StellarWithdrawal) =>
  w.memo_type ? `${w.memo_type}:${w.memo_type === 'hash' ? w.memo!.toLowerCase() : w.memo}` : 'none';

/** Each group of withdrawals alike (wallet, destination, amount, memo) paid as many times as it has completed ones. */
function checkWithdrawals(rows: StellarWithdrawal[], payments: HorizonOperation[], f: Findings): number {
  const group = (source: string, to: string, amount: bigint, memo: string) => `${source}|${to}|${amount}|${memo}`;
  const seen = groupBy(payments, (p) => group(p.source_account, p.to_muxed ?? p.to!, parseAmount(p.amount!), memoOf(p)));
  const groups = groupBy(rows, (w) => group(w.source, w.destination, BigInt(w.amount), rowMemo(w)));
  let paid = 0;
  for (const [g, ws] of groups) {
    const completed = ws.filter((w) => w.status === 'WITHDRAWAL_COMPLETED');
    const found = seen.get(g) ?? [];
    paid += found.length;
    const names = ws.map((w) => w.id).join(', ');
    f.count(found.length, completed.length, `withdrawal ${names}: ${completed.length} completed, paid ${found.length} time(s) on chain`);
    for (const w of completed)
      if (!found.some((p) => hashesOf(p).includes(w.tx_hash ?? '')))
        f.breach(`withdrawal ${w.id}: its hash ${w.tx_hash} is no payment on chain`);
  }
  return paid;
}

/** Each credited top-up's delivery: one treasury payment of its amount into the user's wallet. */
async function checkTopups(pool: Pool, treasury: string | null, payments: HorizonOperation[], f: Findings): Promise<number> {
  const fromTreasury = payments.filter((p) => p.source_account === treasury);
  const rows = await topupDeliveries(pool);
  const key = (to: string, amount: bigint) => `${to}|${amount}`;
  const expected = groupBy(
    rows.filter((t) => t.tx_hash),
    (t) => key(t.wallet, BigInt(t.amount)),
  );
  const seen = groupBy(fromTreasury, (p) => key(p.to!, parseAmount(p.amount!)));
  for (const [k, ts] of expected) {
    const n = seen.get(k)?.length ?? 0;
    f.count(n, ts.length, `top-up ${ts.map((t) => t.id).join(', ')}: ${ts.length} delivered, paid ${n} time(s) by the treasury`);
  }
  for (const [k, [p, ...more]] of seen)
    if (!expected.has(k)) f.twice(`the treasury paid ${p.amount} to ${p.to} ${more.length + 1} time(s) for no delivered top-up`);
  for (const t of rows)
    if (t.tx_hash && !fromTreasury.some((p) => hashesOf(p).includes(t.tx_hash!)))
      f.breach(`top-up ${t.id}: its delivery ${t.tx_hash} is no treasury payment on chain`);
  return fromTreasury.length;
}

/** Each swept Airtm payout: one payment of its amount from the user's wallet to the treasury, under its recorded hash. */
async function checkSweeps(pool: Pool, treasury: string | null, payments: HorizonOperation[], f: Findings): Promise<number> {
  const toTreasury = payments.filter((p) => p.to === treasury && p.source_account !== treasury);
  const rows = await airtmPayoutSweeps(pool);
  const key = (from: string, amount: bigint) => `${from}|${amount}`;
  const expected = groupBy(
    rows.filter((w) => w.tx_hash),
    (w) => key(w.wallet, BigInt(w.amount)),
  );
  const seen = groupBy(toTreasury, (p) => key(p.source_account, parseAmount(p.amount!)));
  for (const [k, ws] of expected) {
    const n = seen.get(k)?.length ?? 0;
    f.count(n, ws.length, `Airtm payout ${ws.map((w) => w.id).join(', ')}: ${ws.length} swept, paid ${n} time(s) to the treasury`);
  }
  for (const [k, [p, ...more]] of seen)
    if (!expected.has(k))
      f.twice(`the wallet ${p.source_account} paid ${p.amount} to the treasury ${more.length + 1} time(s) for no swept Airtm payout`);
  for (const w of rows)
    if (w.tx_hash && !toTreasury.some((p) => hashesOf(p).includes(w.tx_hash!)))
      f.breach(`Airtm payout ${w.id}: its sweep ${w.tx_hash} is no payment to the treasury on chain`);
  return toTreasury.length;
}

/** Each signalled on-ramp order's balance claimed at most once: by the buyer when fulfilled, by the merchant when it expired. */
async function checkClaims(pool: Pool, outgoing: HorizonOperation[], f: Findings): Promise<number> {
  const claims = outgoing.filter((op) => op.type === 'claim_claimable_balance');
  const tail = (id: string) => id.toLowerCase().slice(-64);
  for (const o of await signalledOnrampOrders(pool)) {
    const n = claims.filter((c) => tail(c.balance_id ?? '') === tail(o.balance_id)).length;
    const settled = o.status === 'FULFILLED' || o.status === 'EXPIRED' || o.status === 'CANCELLED';
    if (n > 1) f.twice(`on-ramp order ${o.id}: its balance was claimed more than once (${n})`);
    else if (settled && n === 0) f.breach(`on-ramp order ${o.id} is ${o.status} but its balance was never claimed`);
  }
  return claims.length;
}

/** Each escrow funded at most once, and once when its order settled. */
async function checkFundings(pool: Pool, outgoing: HorizonOperation[], f: Findings): Promise<number> {
  const transfers = outgoing.flatMap((op) =>
    op.type === 'invoke_host_function'
      ? (op.asset_balance_changes ?? []).filter((c) => c.type === 'transfer' && c.from === op.source_account)
      : [],
  );
  let fundings = 0;
  for (const o of await escrowOrders(pool)) {
    const n = transfers.filter((t) => t.from === o.buyer && t.to === o.contract_id).length;
    fundings += n;
    if (n > 1) f.twice(`order ${o.id}: its escrow ${o.contract_id} was funded more than once (${n})`);
    else if (SETTLED_ORDERS.has(o.status) && n === 0) f.breach(`order ${o.id} is ${o.status} but its escrow was never funded`);
  }
  return fundings;
}
