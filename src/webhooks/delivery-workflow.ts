import { type Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Config } from '../config';
import { webhookWorkflowId } from './webhook-ids';

/** How long one read of an idle endpoint waits for a new event (NOTIFY wakes it sooner). */
export const IDLE_WAIT_MS = 20_000;

/**
 * Starts the delivery workflow of an endpoint unless it runs already (the API at registration, the worker at start-up
 * for every active endpoint, so an endpoint whose start was lost still gets its deliveries).
 */
export async function startWebhookDelivery(
  client: Client,
  config: Pick<Config, 'WEBHOOK_RETRY_SCHEDULE_MS'>,
  taskQueue: string,
  endpointId: string,
): Promise<void> {
  await client.workflow.start('webhookDelivery', {
    workflowId: webhookWorkflowId(endpointId),
    taskQueue,
    args: [{ endpointId, schedule: config.WEBHOOK_RETRY_SCHEDULE_MS, waitMs: IDLE_WAIT_MS }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}
