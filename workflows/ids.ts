/** Workflow ids, shared by the workflows, the worker and the API (no workflow code here, so any process may import it). */
export const depositWatcherId = (taskQueue: string) => `deposit-watcher-${taskQueue}`;
export const walletWorkflowId = (userId: string) => `wallet-${userId}`;
export const withdrawalWorkflowId = (withdrawalId: string) => `withdrawal-${withdrawalId}`;
export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
