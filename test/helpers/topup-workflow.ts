import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { newId } from '../../src/ids';
import { topupWorkflowId } from '../../workflows/ids';
import { openTopup } from '../../workflows/messages/topup';
import type { AirtmStack } from './airtm-stack';

/**
 * Starts a top-up's workflow as the API does, but with its own lifetime and polls (Airtm's 15 days are too long for a
 * test): answers the top-up's id and its view once the pay-in is open.
 */
export async function openTopupWorkflow(
  s: AirtmStack,
  userId: string,
  opts: { amountMinor: string; pollInitialMs: number; pollMaxMs: number; expiryMs: number },
) {
  const topupId = newId('topup');
  const client = await s.api.deps.temporal.client();
  const opened = await client.workflow.executeUpdateWithStart(openTopup, {
    startWorkflowOperation: new WithStartWorkflowOperation('topup', {
      workflowId: topupWorkflowId(topupId),
      taskQueue: s.overrides.TEMPORAL_TASK_QUEUE,
      args: [{ topupId, userId, currency: 'USD' as const, returnUrl: 'http://localhost/return', ...opts }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    }),
  });
  return { topupId, opened, handle: client.workflow.getHandle(topupWorkflowId(topupId)) };
}
