import type { Pool } from 'pg';

/** The chaos checks' reads of the product's tables (all their SQL). Amounts are minor units as decimal strings. */

/** Accounts whose keys the platform holds: user wallets and on-ramp merchants (the treasury is derived, not stored). */
export async function platformHeldAccounts(pool: Pool): Promise<Array<{ address: string; holder: string }>> {
  const { rows } = await pool.query<{ address: string; holder: string }>(
    `SELECT public_key AS address, 'wallet of ' || user_id AS holder FROM wallets
     UNION ALL SELECT public_key, 'merchant ' || id FROM onramp_merchants`,
  );
  return rows;
}

/** Every transaction the exactly-once submitter stored: business key → hash. */
export async function submittedTransactions(pool: Pool): Promise<Array<{ key: string; hash: string; status: string }>> {
  const { rows } = await pool.query<{ key: string; hash: string; status: string }>(
    `SELECT business_key AS key, hash, status FROM stellar_transactions`,
  );
  return rows;
}

export interface StellarWithdrawal {
  id: string;
  source: string;
  destination: string;
  amount: string;
  memo: string | null;
  memo_type: string | null;
  status: string;
  tx_hash: string | null;
}

export async function stellarWithdrawals(pool: Pool): Promise<StellarWithdrawal[]> {
  const { rows } = await pool.query<StellarWithdrawal>(
    `SELECT w.id, wl.public_key AS source, w.destination_address AS destination, w.amount::text AS amount, w.memo, w.memo_type,
            w.status, w.tx_hash
       FROM withdrawals w JOIN wallets wl ON wl.user_id = w.user_id
      WHERE w.destination_type = 'stellar'`,
  );
  return rows;
}

export async function topupDeliveries(pool: Pool): Promise<Array<{ id: string; wallet: string; amount: string; tx_hash: string | null }>> {
  const { rows } = await pool.query<{ id: string; wallet: string; amount: string; tx_hash: string | null }>(
    `SELECT t.id, wl.public_key AS wallet, t.amount::text AS amount, t.delivery_tx_hash AS tx_hash
       FROM topups t JOIN wallets wl ON wl.user_id = t.user_id WHERE t.status = 'TOPUP_SUCCEEDED'`,
  );
  return rows;
}

/** Completed Airtm payouts: the wallet whose USDC goes back to the treasury, the amount, and the sweep's hash once it landed. */
export async function airtmPayoutSweeps(
  pool: Pool,
): Promise<Array<{ id: string; wallet: string; amount: string; tx_hash: string | null }>> {
  const { rows } = await pool.query<{ id: string; wallet: string; amount: string; tx_hash: string | null }>(
    `SELECT w.id, wl.public_key AS wallet, w.amount::text AS amount, w.treasury_tx_hash AS tx_hash
       FROM withdrawals w JOIN wallets wl ON wl.user_id = w.user_id
      WHERE w.destination_type = 'airtm' AND w.status = 'WITHDRAWAL_COMPLETED'`,
  );
  return rows;
}

export async function signalledOnrampOrders(pool: Pool): Promise<Array<{ id: string; status: string; balance_id: string }>> {
  const { rows } = await pool.query<{ id: string; status: string; balance_id: string }>(
    `SELECT id, status, balance_id FROM onramp_orders WHERE balance_id IS NOT NULL`,
  );
  return rows;
}

export async function escrowOrders(pool: Pool): Promise<Array<{ id: string; status: string; buyer: string; contract_id: string }>> {
  const { rows } = await pool.query<{ id: string; status: string; buyer: string; contract_id: string }>(
    `SELECT o.id, o.status, wl.public_key AS buyer, o.contract_id
       FROM orders o JOIN wallets wl ON wl.user_id = o.buyer_id WHERE o.contract_id IS NOT NULL`,
  );
  return rows;
}

/** Rows of `table` whose status is not one of `final` (at most `limit`), and how many there are. */
export async function rowsNotIn(
  pool: Pool,
  table: 'orders' | 'topups' | 'withdrawals' | 'onramp_orders' | 'wallets' | 'onramp_merchants',
  final: readonly string[],
  limit = 20,
): Promise<{ count: number; rows: Array<{ id: string; status: string }> }> {
  const id = table === 'wallets' ? 'user_id' : 'id';
  const { rows } = await pool.query<{ id: string; status: string; count: string }>(
    `SELECT ${id} AS id, status, count(*) OVER () AS count FROM ${table} WHERE status <> ALL($1::text[]) ORDER BY ${id} LIMIT ${limit}`,
    [final],
  );
  return { count: Number(rows[0]?.count ?? 0), rows };
}

export interface ReceiverEndpoint {
  id: string;
  url: string;
  status: string;
  disabled_reason: string | null;
  event_types: string[];
  cursor: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  /** The first event it must deliver: its first attempt's event, or the first event written after it was registered. */
  first_event: string | null;
}

/** The webhook endpoints (not deleted) whose URL is on the receiver. */
export async function endpointsOn(pool: Pool, receiverUrl: string): Promise<ReceiverEndpoint[]> {
  const { rows } = await pool.query<ReceiverEndpoint>(
    `SELECT e.id, e.url, e.status, e.disabled_reason, e.event_types, e.cursor::text AS cursor, e.secret_sealed, e.previous_secret_sealed,
            least((SELECT min(d.event_id) FROM webhook_deliveries d WHERE d.endpoint_id = e.id),
                  (SELECT min(v.id) FROM events v WHERE v.created_at >= e.created_at))::text AS first_event
       FROM webhook_endpoints e WHERE e.status <> 'deleted' AND starts_with(e.url, $1)`,
    [receiverUrl],
  );
  return rows;
}
