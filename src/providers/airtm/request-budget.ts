/**
 * The most Airtm requests one payout activity makes (src/withdrawals/airtm-payouts.ts): a creation that Airtm refuses
 * is followed by a look-up of our code, a commit by a read of the payout, a refused cancel by a read; a check is one read.
 */
export const MAX_REQUESTS_PER_ACTIVITY = 2;

/**
 * How many Airtm activities the cluster may start a second so that, even if each made the most requests one makes,
 * Airtm never sees more than `requestsPerSecond` (its "10 requests per second per API key"): the Airtm task queue's rate
 * limit, which Temporal enforces on the server across every worker polling the queue. Retries are dispatches too. The
 * client's single wait-and-retry after a 429 (client.ts) covers a burst that still gets through.
 */
export function airtmActivitiesPerSecond(requestsPerSecond: number): number {
  return requestsPerSecond / MAX_REQUESTS_PER_ACTIVITY;
}
