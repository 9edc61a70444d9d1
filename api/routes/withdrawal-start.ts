import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { UserIdKey, WithdrawalStatusKey } from '../../src/temporal/search-attributes';
import type { WithdrawalView } from '../../src/withdrawals/render';
import { withdrawalWorkflowId } from '../../workflows/ids';
import type { ApiDeps } from '../context';
import { callWorkflow } from '../temporal-calls';

/**
 * Starts a withdrawal's workflow (`withdrawal` for Stellar, `airtmPayout` for Airtm) with the update that holds its
 * funds, or finds the one a retried request started (same derived id, same update id) and waits on that update.
 */
export function startWithdrawalWorkflow<A>(
  deps: ApiDeps,
  w: {
    type: 'withdrawal' | 'airtmPayout';
    update: UpdateDefinition<WithdrawalView, [], string>;
    updateId: string;
    id: string;
    userId: string;
    args: A;
  },
): Promise<WithdrawalView> {
  return callWorkflow(deps, (client) =>
    client.workflow.executeUpdateWithStart(w.update, {
      updateId: w.updateId,
      startWorkflowOperation: new WithStartWorkflowOperation(w.type, {
        workflowId: withdrawalWorkflowId(w.id),
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [w.args],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [
          { key: UserIdKey, value: w.userId },
          { key: WithdrawalStatusKey, value: 'WITHDRAWAL_CREATED' },
        ],
      }),
    }),
  );
}
