/** Workflow ids, shared by the workflows, the worker and the API (no workflow code here, so any process may import it). */
export const depositWatcherId = (taskQueue: string) => `deposit-watcher-${taskQueue}`;
export const walletWorkflowId = (userId: string) => `wallet-${userId}`;
export const withdrawalWorkflowId = (withdrawalId: string) => `withdrawal-${withdrawalId}`;
export const topupWorkflowId = (topupId: string) => `topup-${topupId}`;
export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
/**
 * The task queue of the steps that call Trustless Work: its own, so that the worker polling it can hold the whole
 * cluster under Trustless Work's request limit with a task-queue rate limit (worker/worker.ts).
 */
export const escrowTaskQueue = (taskQueue: string) => `${taskQueue}-trustless-work`;
/**
 * The workflow following an Airtm payout: the withdrawal's own id (one withdrawal, one workflow, whatever its rail).
 * Airtm's payout `code` is the withdrawal id, so a payout webhook `{type, data}` names its workflow as
 * `airtmPayoutWorkflowId(data.code)`.
 */
export const airtmPayoutWorkflowId = (withdrawalId: string) => withdrawalWorkflowId(withdrawalId);
/** The task queue of the activities that call Airtm: its own, rate-limited by the worker to Airtm's request limit. */
export const airtmTaskQueue = (taskQueue: string) => `${taskQueue}-airtm`;
export const onrampOrderWorkflowId = (orderId: string) => `onramp-${orderId}`;
export const onrampMerchantWorkflowId = (merchantId: string) => `onramp-merchant-${merchantId}`;
