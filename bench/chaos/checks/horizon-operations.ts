/** An operation as Horizon lists it with `join=transactions` (only the fields the checks read). */
export interface HorizonOperation {
  id: string;
  type: string;
  source_account: string;
  transaction_successful: boolean;
  transaction_hash: string;
  /** payment */
  from?: string;
  to?: string;
  to_muxed?: string;
  amount?: string;
  asset_code?: string;
  asset_issuer?: string;
  /** claim_claimable_balance */
  balance_id?: string;
  claimant?: string;
  /** invoke_host_function */
  asset_balance_changes?: Array<{ type: string; from?: string; to?: string; amount: string; asset_code?: string; asset_issuer?: string }>;
  transaction?: {
    hash: string;
    memo_type: string;
    memo?: string;
    inner_transaction?: { hash: string };
    fee_bump_transaction?: { hash: string };
  };
}

const LIMIT = 200;

/** Every operation Horizon lists for `account` (successful ones only, oldest first); none when the account does not exist. */
export async function operationsOf(horizonUrl: string, account: string): Promise<HorizonOperation[]> {
  const ops: HorizonOperation[] = [];
  let cursor = '';
  for (;;) {
    const url = `${horizonUrl}/accounts/${account}/operations?join=transactions&order=asc&limit=${LIMIT}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(url);
    if (res.status === 404) return ops;
    if (!res.ok) throw new Error(`Horizon answered ${res.status} to ${url}: ${(await res.text()).slice(0, 200)}`);
    const page = ((await res.json()) as { _embedded: { records: Array<HorizonOperation & { paging_token: string }> } })._embedded.records;
    ops.push(...page);
    if (page.length < LIMIT) return ops;
    cursor = page[page.length - 1].paging_token;
  }
}

/** The operations of every account, `concurrency` accounts at a time, each listed once (by id) and successful only. */
export async function operationsOfAll(horizonUrl: string, accounts: string[], concurrency = 8): Promise<HorizonOperation[]> {
  const ops = new Map<string, HorizonOperation>(); // a payment between two of the accounts is listed for both
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < accounts.length; i = next++)
      for (const op of await operationsOf(horizonUrl, accounts[i])) if (op.transaction_successful) ops.set(op.id, op);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accounts.length) }, worker));
  return [...ops.values()];
}

/** Every hash a transaction is known by: the operation's, the transaction's, and the inner and outer of a fee bump. */
export function hashesOf(op: HorizonOperation): string[] {
  const t = op.transaction;
  return [op.transaction_hash, t?.hash, t?.inner_transaction?.hash, t?.fee_bump_transaction?.hash].filter((h): h is string => !!h);
}
