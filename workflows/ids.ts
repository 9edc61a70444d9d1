/** Workflow ids, shared by the workflows, the worker and the API (no workflow code here, so any process may import it). */
export const depositWatcherId = (taskQueue: string) => `deposit-watcher-${taskQueue}`;
export const walletWorkflowId = (userId: string) => `wallet-${userId}`;
export const withdrawalWorkflowId = (withdrawalId: string) => `withdrawal-${withdrawalId}`;
export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
/**
 * The task queue of the steps that call Trustless Work: its own, so that the worker polling it can hold the whole
 * cluster under Trustless Work's request limit with a task-queue rate limit (worker/worker.ts).
 */
export const escrowTaskQueue = (taskQueue: string) => `${taskQueue}-trustless-work`;
export const onrampOrderWorkflowId = (orderId: string) => `onramp-${orderId}`;
export const onrampMerchantWorkflowId = (merchantId: string) => `onramp-merchant-${merchantId}`;
