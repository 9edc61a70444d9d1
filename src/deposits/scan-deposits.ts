import type { Horizon } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import { SYSTEM } from '../audit/actor';
import { recordAudit } from '../audit/audit-repository';
import { withTransaction } from '../db/client';
import { credit } from '../ledger';
import { formatAmount, parseAmount } from '../money';
import { announceBalances } from '../events/balance-events';
import { insertEvent } from '../events/events-repository';
import type { PostedEntry } from '../ledger';
import type { StellarNetwork } from '../stellar/network';
import { walletOwners } from '../wallets/wallets-repository';
import { parseRetryAfter } from '../retry-after';
import { findCursor, resetCursor, saveCursor } from './deposits-repository';
import { treasuryAddress } from '../treasury/treasury';

export interface ScanResult {
  scanned: number;
  credited: number;
  cursor: string;
  /** The page was not full: there is nothing newer to read right now. */
  caughtUp: boolean;
  /** The cursor named a ledger the network has not reached: the network was reset under us (reported as an event). */
  networkReset?: true;
  /** Horizon refused the scan with 429 (its per-IP limit): ask again after this long, not sooner. Nothing was read. */
  retryAfterMs?: number;
}

const PAGE = 200;
/** A 429 without a readable Retry-After is waited out this long; a longer one is capped so deposits never stall for hours. */
const DEFAULT_RETRY_AFTER_MS = 10_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Operations that deliver an asset to their `to` account, as Horizon lists them in /payments with the delivered asset in
 * `asset_*` and the delivered amount in `amount` (stellar/go services/horizon/internal/ingest/processors/
 * operations_processor.go: a path payment's `amount` is its destination amount, `source_*` what the sender gave up).
 * create_account and account_merge only move XLM; a Soroban transfer (invoke_host_function) is not a deposit rail.
 */
const DELIVERING = new Set(['payment', 'path_payment_strict_send', 'path_payment_strict_receive']);

/** The cursor's name: one per Horizon, so a scanner never mistakes another network's paging tokens for its own. */
export function cursorName(horizonUrl: string): string {
  return `horizon-payments@${horizonUrl}`;
}

/**
 * Reads one page of payments after the persisted cursor and credits each USDC payment (or path payment delivering USDC)
 * that reached a user's wallet. The credits (unique on the network and operation id, `deposit:<network tag>:<op id>`)
 * and the cursor are committed in one transaction, so replaying a page, a crash or a second scanner can never credit
 * twice nor skip a payment. One page costs one Horizon request whatever the number of wallets: the network's payments
 * are read once and matched against the wallets in the database. A 429 is answered with the time to wait.
 */
export async function scanDeposits(pool: Pool, network: StellarNetwork, opts: { cursorName: string }): Promise<ScanResult> {
  try {
    return await scanPage(pool, network, opts);
  } catch (err) {
    const waitMs = rateLimitedFor(err);
    if (waitMs === null) throw err;
    return { scanned: 0, credited: 0, cursor: (await findCursor(pool, opts.cursorName)) ?? '', caughtUp: false, retryAfterMs: waitMs };
  }
}

/**
 * How long to wait when `err` is Horizon's 429 rate_limit_exceeded; else null. The SDK's NetworkError keeps only the
 * problem document (stellar-sdk lib/horizon/call_builder.js, _handleNetworkError: `new NetworkError(statusText,
 * response.data)`), so Retry-After is read when an error carries headers and is otherwise the default below: Horizon
 * refills one request a second (rate-limiting.md), so ten seconds is ample and still keeps deposits flowing.
 */
function rateLimitedFor(err: unknown): number | null {
  const response = (err as { response?: { status?: number; type?: string; headers?: Record<string, string | undefined> } }).response;
  if (response?.status !== 429 && !response?.type?.endsWith('/rate_limit_exceeded')) return null;
  const asked = parseRetryAfter(response.headers?.['retry-after']) ?? DEFAULT_RETRY_AFTER_MS;
  return Math.min(asked, MAX_RETRY_AFTER_MS);
}

async function scanPage(pool: Pool, network: StellarNetwork, opts: { cursorName: string }): Promise<ScanResult> {
  const start = await startingCursor(pool, network, opts.cursorName);
  const page = await network.horizon.payments().cursor(start).order('asc').limit(PAGE).call();
  const records = page.records as Horizon.ServerApi.PaymentOperationRecord[];
  if (records.length === 0) {
    if (!resetCheckDue(opts.cursorName)) return { scanned: 0, credited: 0, cursor: start, caughtUp: true };
    const latestLedger = await ledgerBehind(network, start);
    if (latestLedger !== null) return afterReset(pool, network, opts.cursorName, start, latestLedger);
    return { scanned: 0, credited: 0, cursor: start, caughtUp: true };
  }

  // The treasury's payments put credited top-ups on chain (src/topups/deliver.ts): already in the ledger, not deposits.
  const treasury = treasuryAddress(network.platform);
  const incoming = records.filter(
    (r) =>
      DELIVERING.has(r.type) &&
      r.from !== treasury &&
      r.transaction_successful &&
      r.asset_type === 'credit_alphanum4' &&
      r.asset_code === network.usdc.code &&
      r.asset_issuer === network.usdc.issuer,
  );
  return withTransaction(pool, async (client) => {
    const userOf = await walletOwners(
      client,
      incoming.map((r) => r.to),
    );
    const credits: Array<{ r: Horizon.ServerApi.PaymentOperationRecord; userId: string; entry: PostedEntry }> = [];
    for (const r of incoming) {
      const userId = userOf.get(r.to);
      if (!userId) continue;
      const entry = await credit(client as unknown as Pool, {
        kind: 'deposit',
        key: `deposit:${network.tag}:${r.id}`,
        userId,
        currency: 'USD',
        amount: parseAmount(r.amount),
        related: { type: 'stellar_payment', id: r.id },
        metadata: { transaction_hash: r.transaction_hash, from: r.from, to: r.to, operation_type: r.type },
      });
      if (!entry.replayed) {
        credits.push({ r, userId, entry });
        await recordAudit(client, {
          dedupeKey: `deposit.credit:${network.tag}:${r.id}`,
          actor: SYSTEM,
          action: 'deposit.credit',
          resourceType: 'deposit',
          resourceId: r.id,
          statusBefore: null,
          statusAfter: 'CREDITED',
          details: { user_id: userId, amount: formatAmount(parseAmount(r.amount)), currency: 'USD', transaction_hash: r.transaction_hash },
        });
      }
    }
    const last = records[records.length - 1].paging_token;
    await saveCursor(client, opts.cursorName, last);
    // The events last, after every row lock is taken (events-repository's ordering lock is held until commit).
    for (const { r, userId, entry } of credits) {
      await insertEvent(client, {
        dedupeKey: `deposit.credited:${network.tag}:${r.id}`,
        type: 'deposit.credited',
        resourceId: r.id,
        userIds: [userId],
        data: {
          id: r.id,
          user_id: userId,
          amount: formatAmount(parseAmount(r.amount)),
          currency: 'USD',
          transaction_hash: r.transaction_hash,
          operation_type: r.type,
          from: r.from,
          ledger_entry_id: entry.id,
          created_at: r.created_at,
        },
      });
      await announceBalances(client, entry);
    }
    const credited = credits.length;
    return { scanned: records.length, credited, cursor: last, caughtUp: records.length < PAGE };
  });
}

/**
 * Where a scanner starts: its persisted cursor; on a sandbox network with no cursor yet, the beginning of history;
 * on a public network, the newest payment at the time (no wallet of ours can have received anything before).
 */
async function startingCursor(pool: Pool, network: StellarNetwork, name: string): Promise<string> {
  const saved = await findCursor(pool, name);
  if (saved !== null) return saved;
  if (network.name === 'sandbox') return '0';
  const newest = await network.horizon.payments().order('desc').limit(1).call();
  return newest.records[0]?.paging_token ?? '0';
}

/**
 * Whether an empty page should be checked for a network reset now: at the first empty page of a process, then at most
 * once a minute, so that a caught-up watcher costs one Horizon request per poll, not two (the check is one more).
 */
const RESET_CHECK_EVERY_MS = 60_000;
const lastResetCheck = new Map<string, number>();
function resetCheckDue(cursorName: string, now = Date.now()): boolean {
  const last = lastResetCheck.get(cursorName);
  if (last !== undefined && now - last < RESET_CHECK_EVERY_MS) return false;
  lastResetCheck.set(cursorName, now);
  return true;
}

/**
 * The network's latest ledger when the cursor names a later one (paging tokens carry the ledger in their top bits):
 * the network was reset under us (testnet is reset every few months; a sandbox when its state is dropped). Else null.
 */
async function ledgerBehind(network: StellarNetwork, cursor: string): Promise<number | null> {
  if (!/^\d+$/.test(cursor) || cursor === '0') return null;
  const latest = await network.horizon.ledgers().order('desc').limit(1).call();
  const sequence = latest.records[0]?.sequence;
  return sequence !== undefined && BigInt(cursor) >> 32n > BigInt(sequence) ? sequence : null;
}

/**
 * A reset is reported, never waited on: a `deposits.network_reset` event for the operator (wallets and balances on
 * chain from before it are gone, so custody reconciliation will show the drift), and scanning resumes on the new
 * network: from its beginning on a sandbox, from its newest payment on testnet or public (as a first start does).
 */
async function afterReset(pool: Pool, network: StellarNetwork, name: string, cursor: string, latestLedger: number): Promise<ScanResult> {
  const resumeAt =
    network.name === 'sandbox' ? '0' : ((await network.horizon.payments().order('desc').limit(1).call()).records[0]?.paging_token ?? '0');
  await withTransaction(pool, async (client) => {
    await resetCursor(client, name, resumeAt);
    await insertEvent(client, {
      dedupeKey: `deposits.network_reset:${network.tag}:${cursor}`,
      type: 'deposits.network_reset',
      resourceId: network.tag,
      userIds: [],
      data: { network: network.name, cursor, latest_ledger: latestLedger, resumed_at: resumeAt },
    });
  });
  return { scanned: 0, credited: 0, cursor: resumeAt, caughtUp: false, networkReset: true };
}
