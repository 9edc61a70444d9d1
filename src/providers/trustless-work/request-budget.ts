/**
 * The most Trustless Work requests one escrow step makes (src/escrow/escrow-steps.ts): a release approves the milestone
 * and releases the funds, each call fetching its unsigned transaction and then telling the indexer about it
 * (src/escrow/submit-call.ts), 4 requests; a deployment 3 (deploy, indexer, escrow read-back); the other steps 2 to 4.
 * A test counts them against the sandbox (test/e2e/trustless-work-pacing.test.ts).
 */
export const MAX_REQUESTS_PER_STEP = 4;

/**
 * How many escrow steps the cluster may start a second so that, even if every one of them made the most requests a
 * step makes, Trustless Work never sees more than `requestsPerMinute` a minute: the Trustless Work task queue's rate
 * limit (Temporal enforces it on the server, across every worker polling the queue). Retries are dispatches too, so
 * they count.
 */
export function escrowStepsPerSecond(requestsPerMinute: number): number {
  return requestsPerMinute / 60 / MAX_REQUESTS_PER_STEP;
}
