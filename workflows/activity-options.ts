import { type ActivityOptions, workflowInfo } from '@temporalio/workflow';
import { airtmTaskQueue } from './ids';

/**
 * The activity options the workflows share, by kind of step. Changing a value changes no recorded history (options are
 * not part of a command's identity), but it changes how every workflow using it waits and retries.
 */

/** Ledger and row changes: retried until the database answers (money must never be lost to a fault). */
export const DATABASE_STEP: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
};

/** A Stellar submission on the main task queue: retried through transient faults, heartbeating while it waits. */
export const CHAIN_STEP: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
};

/**
 * The heartbeat timeout of the activities that call Airtm (they heartbeat while they call): a call lost with a killed
 * worker is retried after this, not after its whole start-to-close timeout (found by `npm run chaos`).
 */
export const AIRTM_HEARTBEAT_TIMEOUT = '10 seconds';

/**
 * Calls to Airtm, on the Airtm task queue beside this run's (paced by the worker to Airtm's request limit for the whole
 * cluster): transient faults retried, refusals answered. Asked for inside a workflow: its queue is this run's.
 */
export function airtmStep(startToCloseTimeout: ActivityOptions['startToCloseTimeout']): ActivityOptions {
  return {
    taskQueue: airtmTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout,
    heartbeatTimeout: AIRTM_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  };
}
