import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/client';
import { getBalances, type PostedEntry } from '../ledger';
import { insertEvent, takeEventOrder } from './events-repository';

/**
 * `balance.updated` for each user a ledger entry moved, in the entry's transaction, with the balances as
 * `GET /users/{id}/balance` shows them. The ordering lock is taken before the balances are read, so events of later
 * movements of the same user always carry later ids. A replayed entry moved nothing and announces nothing.
 */
export async function announceBalances(client: PoolClient, entry: PostedEntry): Promise<void> {
  if (entry.replayed) return;
  const users = [...new Set(entry.postings.flatMap((p) => ('userId' in p.account ? [p.account.userId] : [])))];
  if (users.length === 0) return;
  await takeEventOrder(client);
  for (const userId of users) {
    await insertEvent(client, {
      dedupeKey: `balance.updated:${entry.id}:${userId}`,
      type: 'balance.updated',
      resourceId: userId,
      userIds: [userId],
      data: { user_id: userId, balances: await getBalances(client as unknown as Pool, userId) },
    });
  }
}

/** Posts a ledger movement (`post` is given the transaction's client) and its balance.updated events in one transaction. */
export async function postAnnounced(pool: Pool, post: (tx: Pool) => Promise<PostedEntry>): Promise<PostedEntry> {
  return withTransaction(pool, async (client) => {
    const entry = await post(client as unknown as Pool);
    await announceBalances(client, entry);
    return entry;
  });
}
