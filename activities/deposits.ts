import { Context } from '@temporalio/activity';
import { scanDeposits, type ScanResult } from '../src/deposits/scan-deposits';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

export function createDepositActivities(deps: ActivityDeps) {
  return {
    /** Credits every new USDC payment to a user wallet found after the persisted cursor (one page). */
    async scanDeposits(_input: Record<string, never> = {}): Promise<ScanResult> {
      const result = await withHeartbeat(() => scanDeposits(deps.database.pool, deps.stellar, { cursorName: deps.depositCursorName }));
      if (result.credited > 0) {
        const { workflowExecution, activityId } = Context.current().info;
        deps.logger.info(
          { workflowId: workflowExecution?.workflowId, activityId, credited: result.credited, cursor: result.cursor },
          'deposits credited',
        );
      }
      return result;
    },
  };
}
