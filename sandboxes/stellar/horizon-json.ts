import { formatStroops } from './amounts';
import { assetFields } from './assets';
import type { History, LedgerRecord, OpRecord, TxRecord } from './history';
import { MAX_TX_SET_SIZE, PROTOCOL_VERSION } from './ledger-header';
import {
  AUTHORIZED_FLAG,
  AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG,
  AUTH_CLAWBACK_ENABLED_FLAG,
  AUTH_IMMUTABLE_FLAG,
  AUTH_REQUIRED_FLAG,
  AUTH_REVOCABLE_FLAG,
  BASE_FEE,
  BASE_RESERVE,
  TRUSTLINE_CLAWBACK_ENABLED_FLAG,
  type AccountEntry,
  type LedgerStore,
} from './ledger-state';
import { signerType } from './operations/signer-keys';
import { toid } from './toid';

/**
 * Horizon's JSON resources (HAL): field names, order and formats as Horizon renders them, so that the SDK's
 * response types and anything parsing Horizon's JSON read the sandbox unchanged. `base` is the server's URL.
 */

type Json = Record<string, unknown>;
const link = (href: string, templated = false) => (templated ? { href, templated: true } : { href });
const ZERO = '0.0000000';

export function renderAccount(base: string, store: LedgerStore, history: History, acc: AccountEntry): Json {
  const id = acc.accountId;
  const lines = store
    .trustlinesOf(id)
    .sort((a, b) =>
      a.asset.code === b.asset.code ? a.asset.issuer.localeCompare(b.asset.issuer) : a.asset.code.localeCompare(b.asset.code),
    );
  const balances: Json[] = lines.map((l) => ({
    balance: formatStroops(l.balance),
    limit: formatStroops(l.limit),
    buying_liabilities: ZERO,
    selling_liabilities: ZERO,
    last_modified_ledger: l.lastModifiedLedger,
    is_authorized: Boolean(l.flags & AUTHORIZED_FLAG),
    is_authorized_to_maintain_liabilities: Boolean(l.flags & (AUTHORIZED_FLAG | AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG)),
    is_clawback_enabled: Boolean(l.flags & TRUSTLINE_CLAWBACK_ENABLED_FLAG),
    ...assetFields({ type: l.asset.code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12', ...l.asset }),
    ...(l.sponsor ? { sponsor: l.sponsor } : {}),
  }));
  balances.push({ balance: formatStroops(acc.balance), buying_liabilities: ZERO, selling_liabilities: ZERO, asset_type: 'native' });

  const signers: Json[] = acc.signers.map((s) => ({
    weight: s.weight,
    key: s.key,
    type: signerType(s.key),
    ...(s.sponsor ? { sponsor: s.sponsor } : {}),
  }));
  if (acc.thresholds[0] > 0) signers.push({ weight: acc.thresholds[0], key: id, type: 'ed25519_public_key' });

  const data: Record<string, string> = {};
  for (const d of store.dataOf(id).sort((a, b) => a.name.localeCompare(b.name))) data[d.name] = d.value;

  const templ = (what: string) => link(`${base}/accounts/${id}/${what}{?cursor,limit,order}`, true);
  return {
    _links: {
      self: link(`${base}/accounts/${id}`),
      transactions: templ('transactions'),
      operations: templ('operations'),
      payments: templ('payments'),
      effects: templ('effects'),
      offers: templ('offers'),
      trades: templ('trades'),
      data: link(`${base}/accounts/${id}/data/{key}`, true),
    },
    id,
    account_id: id,
    sequence: acc.seqNum.toString(),
    ...(acc.seqLedger > 0 ? { sequence_ledger: acc.seqLedger, sequence_time: acc.seqTime.toString() } : {}),
    subentry_count: acc.numSubEntries,
    ...(acc.inflationDest ? { inflation_destination: acc.inflationDest } : {}),
    ...(acc.homeDomain ? { home_domain: acc.homeDomain } : {}),
    last_modified_ledger: acc.lastModifiedLedger,
    last_modified_time: history.ledger(acc.lastModifiedLedger)?.closedAt ?? null,
    thresholds: { low_threshold: acc.thresholds[1], med_threshold: acc.thresholds[2], high_threshold: acc.thresholds[3] },
    flags: {
      auth_required: Boolean(acc.flags & AUTH_REQUIRED_FLAG),
      auth_revocable: Boolean(acc.flags & AUTH_REVOCABLE_FLAG),
      auth_immutable: Boolean(acc.flags & AUTH_IMMUTABLE_FLAG),
      auth_clawback_enabled: Boolean(acc.flags & AUTH_CLAWBACK_ENABLED_FLAG),
    },
    balances,
    signers,
    data,
    num_sponsoring: acc.numSponsoring,
    num_sponsored: acc.numSponsored,
    ...(acc.sponsor ? { sponsor: acc.sponsor } : {}),
    paging_token: id,
  };
}

/**
 * A transaction resource. Looked up by the inner hash of a fee-bump transaction, Horizon answers with that hash,
 * the inner signatures and max fee in the top-level fields.
 */
export function renderTransaction(base: string, tx: TxRecord, requestedHash?: string): Json {
  const byInner = Boolean(tx.innerHash && requestedHash === tx.innerHash);
  const hash = byInner ? tx.innerHash! : tx.hash;
  const out: Json = {
    _links: {
      self: link(`${base}/transactions/${hash}`),
      account: link(`${base}/accounts/${tx.sourceAccount}`),
      ledger: link(`${base}/ledgers/${tx.ledger}`),
      operations: link(`${base}/transactions/${hash}/operations{?cursor,limit,order}`, true),
      effects: link(`${base}/transactions/${hash}/effects{?cursor,limit,order}`, true),
      precedes: link(`${base}/transactions?order=asc&cursor=${tx.id}`),
      succeeds: link(`${base}/transactions?order=desc&cursor=${tx.id}`),
      transaction: link(`${base}/transactions/${hash}`),
    },
    id: hash,
    paging_token: tx.id,
    successful: tx.successful,
    hash,
    ledger: tx.ledger,
    created_at: tx.createdAt,
    source_account: tx.sourceAccount,
    ...(tx.sourceAccountMuxed ? { account_muxed: tx.sourceAccountMuxed, account_muxed_id: tx.sourceAccountMuxedId } : {}),
    source_account_sequence: tx.sourceAccountSequence,
    fee_account: tx.feeAccount,
    ...(tx.feeAccountMuxed ? { fee_account_muxed: tx.feeAccountMuxed, fee_account_muxed_id: tx.feeAccountMuxedId } : {}),
    fee_charged: tx.feeCharged,
    max_fee: byInner ? tx.innerMaxFee : tx.maxFee,
    operation_count: tx.operationCount,
    envelope_xdr: tx.envelopeXdr,
    result_xdr: tx.resultXdr,
    result_meta_xdr: tx.resultMetaXdr,
    fee_meta_xdr: tx.feeMetaXdr,
    memo_type: tx.memoType,
    ...(tx.memoType !== 'none' ? { memo: tx.memo } : {}),
    ...(tx.memoBytes ? { memo_bytes: tx.memoBytes } : {}),
    signatures: byInner ? tx.innerSignatures : tx.signatures,
    ...(tx.validAfter ? { valid_after: tx.validAfter } : {}),
    ...(tx.validBefore ? { valid_before: tx.validBefore } : {}),
    ...(tx.preconditions ? { preconditions: tx.preconditions } : {}),
  };
  if (tx.innerHash) {
    out.fee_bump_transaction = { hash: tx.hash, signatures: tx.signatures };
    out.inner_transaction = { hash: tx.innerHash, signatures: tx.innerSignatures, max_fee: tx.innerMaxFee };
  }
  return out;
}

export function renderOperation(base: string, op: OpRecord, joinedTx?: TxRecord): Json {
  return {
    _links: {
      self: link(`${base}/operations/${op.id}`),
      transaction: link(`${base}/transactions/${op.txHash}`),
      effects: link(`${base}/operations/${op.id}/effects`),
      succeeds: link(`${base}/effects?order=desc&cursor=${op.id}`),
      precedes: link(`${base}/effects?order=asc&cursor=${op.id}`),
    },
    id: op.id,
    paging_token: op.id,
    transaction_successful: op.successful,
    source_account: op.sourceAccount,
    ...(op.sourceAccountMuxed ? { source_account_muxed: op.sourceAccountMuxed, source_account_muxed_id: op.sourceAccountMuxedId } : {}),
    type: op.type,
    type_i: op.typeI,
    created_at: op.createdAt,
    transaction_hash: op.txHash,
    ...op.fields,
    ...(joinedTx ? { transaction: renderTransaction(base, joinedTx) } : {}),
  };
}

export function renderLedger(base: string, l: LedgerRecord): Json {
  const seq = l.sequence;
  return {
    _links: {
      self: link(`${base}/ledgers/${seq}`),
      transactions: link(`${base}/ledgers/${seq}/transactions{?cursor,limit,order}`, true),
      operations: link(`${base}/ledgers/${seq}/operations{?cursor,limit,order}`, true),
      payments: link(`${base}/ledgers/${seq}/payments{?cursor,limit,order}`, true),
      effects: link(`${base}/ledgers/${seq}/effects{?cursor,limit,order}`, true),
    },
    id: l.hash,
    paging_token: toid(seq).toString(),
    hash: l.hash,
    ...(seq > 1 ? { prev_hash: l.prevHash } : {}),
    sequence: seq,
    successful_transaction_count: l.successfulTransactionCount,
    failed_transaction_count: l.failedTransactionCount,
    operation_count: l.operationCount,
    tx_set_operation_count: l.txSetOperationCount,
    closed_at: l.closedAt,
    total_coins: formatStroops(BigInt(l.totalCoins)),
    fee_pool: formatStroops(BigInt(l.feePool)),
    base_fee_in_stroops: Number(BASE_FEE),
    base_reserve_in_stroops: Number(BASE_RESERVE),
    max_tx_set_size: MAX_TX_SET_SIZE,
    protocol_version: PROTOCOL_VERSION,
    header_xdr: l.headerXdr,
  };
}

export function renderRoot(base: string, opts: { latestLedger: number; closedAt: string; networkPassphrase: string }): Json {
  return {
    _links: {
      account: link(`${base}/accounts/{account_id}`, true),
      accounts: link(`${base}/accounts{?signer,sponsor,asset,liquidity_pool,cursor,limit,order}`, true),
      account_transactions: link(`${base}/accounts/{account_id}/transactions{?cursor,limit,order}`, true),
      fee_stats: link(`${base}/fee_stats`),
      friendbot: link(`${base}/friendbot{?addr}`, true),
      ledger: link(`${base}/ledgers/{sequence}`, true),
      ledgers: link(`${base}/ledgers{?cursor,limit,order}`, true),
      operation: link(`${base}/operations/{id}`, true),
      operations: link(`${base}/operations{?cursor,limit,order,include_failed}`, true),
      payments: link(`${base}/payments{?cursor,limit,order,include_failed}`, true),
      self: link(`${base}/`),
      transaction: link(`${base}/transactions/{hash}`, true),
      transactions: link(`${base}/transactions{?cursor,limit,order}`, true),
    },
    horizon_version: 'offerhub-sandbox',
    core_version: 'offerhub-sandbox-core',
    ingest_latest_ledger: opts.latestLedger,
    history_latest_ledger: opts.latestLedger,
    history_latest_ledger_closed_at: opts.closedAt,
    history_elder_ledger: 1,
    core_latest_ledger: opts.latestLedger,
    network_passphrase: opts.networkPassphrase,
    current_protocol_version: PROTOCOL_VERSION,
    supported_protocol_version: PROTOCOL_VERSION,
    core_supported_protocol_version: PROTOCOL_VERSION,
  };
}

function percentiles(values: bigint[], baseFee: bigint): Record<string, string> {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = baseFee.toString();
  if (sorted.length === 0) {
    return Object.fromEntries(
      ['max', 'min', 'mode', 'p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95', 'p99'].map((k) => [k, base]),
    );
  }
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!.toString();
  const counts = new Map<string, number>();
  for (const v of sorted) counts.set(v.toString(), (counts.get(v.toString()) ?? 0) + 1);
  const mode = [...counts.entries()].sort((a, b) => b[1] - a[1] || (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1))[0]![0];
  return {
    max: sorted[sorted.length - 1]!.toString(),
    min: sorted[0]!.toString(),
    mode,
    p10: at(10),
    p20: at(20),
    p30: at(30),
    p40: at(40),
    p50: at(50),
    p60: at(60),
    p70: at(70),
    p80: at(80),
    p90: at(90),
    p95: at(95),
    p99: at(99),
  };
}

/** Horizon's fee stats over the last 5 ledgers: fees charged and bid per operation. */
export function renderFeeStats(history: History, latestLedger: number, baseFee: bigint): Json {
  const recent = history.transactions.filter((t) => t.ledger > latestLedger - 5);
  const perOp = (total: string, t: TxRecord) => BigInt(total) / BigInt(t.operationCount + (t.innerHash ? 1 : 0) || 1);
  const lastOps = history.ledger(latestLedger)?.txSetOperationCount ?? 0;
  return {
    last_ledger: String(latestLedger),
    last_ledger_base_fee: baseFee.toString(),
    ledger_capacity_usage: (lastOps / MAX_TX_SET_SIZE).toFixed(2),
    fee_charged: percentiles(
      recent.map((t) => perOp(t.feeCharged, t)),
      baseFee,
    ),
    max_fee: percentiles(
      recent.map((t) => perOp(t.maxFee, t)),
      baseFee,
    ),
  };
}

/** Horizon's problem documents (application/problem+json). */
export const problems = {
  notFound: (): Json => ({
    type: 'https://stellar.org/horizon-errors/not_found',
    title: 'Resource Missing',
    status: 404,
    detail:
      'The resource at the url requested was not found.  This usually occurs for one of two reasons:  The url requested is not valid, or no data in our database could be found with the parameters provided.',
  }),
  badRequest: (field: string, reason: string): Json => ({
    type: 'https://stellar.org/horizon-errors/bad_request',
    title: 'Bad Request',
    status: 400,
    detail: 'The request you sent was invalid in some way.',
    extras: { invalid_field: field, reason },
  }),
  methodNotAllowed: (): Json => ({
    type: 'https://stellar.org/horizon-errors/method_not_allowed',
    title: 'Method Not Allowed',
    status: 405,
    detail: 'This endpoint does not respond to the requested HTTP method.',
  }),
  notAcceptable: (): Json => ({
    type: 'https://stellar.org/horizon-errors/not_acceptable',
    title: 'An acceptable response content-type could not be provided for this request',
    status: 406,
  }),
  // services/horizon/internal/render/problem/problem.go in stellar/go: RateLimitExceeded.
  rateLimitExceeded: (): Json => ({
    type: 'https://stellar.org/horizon-errors/rate_limit_exceeded',
    title: 'Rate Limit Exceeded',
    status: 429,
    detail:
      "The rate limit for the requesting IP address is over its alloted limit.  The allowed limit and requests left per time period are communicated to clients via the http response headers 'X-RateLimit-*' headers.",
  }),
  serverError: (): Json => ({
    type: 'https://stellar.org/horizon-errors/server_error',
    title: 'Internal Server Error',
    status: 500,
    detail:
      'An error occurred while processing this request.  This is usually due to a bug within the server software.  Trying this request again may succeed if the bug is transient, otherwise please report this issue to the issues section of the Horizon repository.',
  }),
  // render/problem/problem.go in stellar/go: Timeout (a synchronous submission not in a ledger in time).
  timeout: (): Json => ({
    type: 'https://stellar.org/horizon-errors/timeout',
    title: 'Timeout',
    status: 504,
    detail:
      'Your request timed out before completing.  Please try your request again. If you are submitting a transaction make sure you are sending exactly the same transaction (with the same sequence number).',
  }),
  transactionMalformed: (envelopeXdr: string): Json => ({
    type: 'https://stellar.org/horizon-errors/transaction_malformed',
    title: 'Transaction Malformed',
    status: 400,
    detail:
      'Horizon could not decode the transaction envelope in this request. A transaction should be an XDR TransactionEnvelope struct encoded using base64.  The envelope read from this request is echoed in the `extras.envelope_xdr` field of this response for your convenience.',
    extras: { envelope_xdr: envelopeXdr },
  }),
  transactionFailed: (extras: { envelope_xdr: string; result_codes: unknown; result_xdr: string; hash?: string }): Json => ({
    type: 'https://stellar.org/horizon-errors/transaction_failed',
    title: 'Transaction Failed',
    status: 400,
    detail:
      'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.  Descriptions of each code can be found at: https://developers.stellar.org/docs/data/apis/horizon/api-reference/errors/result-codes/transactions',
    extras,
  }),
};
