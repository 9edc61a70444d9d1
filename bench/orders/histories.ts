/**
 * Diagnostics (not timed): the shape of one finished workflow's history — events, workflow tasks, activities — which
 * says how much work each lifecycle asks of the Temporal server and the worker compared with the baseline's.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface HistoryShape {
  events: number;
  workflowTasks: number;
  activities: number;
  timers: number;
  /** Activity types in order of scheduling, with counts. */
  activityTypes: Record<string, number>;
}

const T = temporal.api.enums.v1.EventType;

export async function historyShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  const activityTypes: Record<string, number> = {};
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activityTypes[name] = (activityTypes[name] ?? 0) + 1;
  }
  return {
    events: events.length,
    workflowTasks: count(T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    timers: count(T.EVENT_TYPE_TIMER_STARTED),
    activityTypes,
  };
}
