import type { Client } from '@temporalio/client';

/**
 * Who sent a workflow's signals, as Temporal recorded it: the `identity` of the client (UI session, CLI, SDK) on each
 * WorkflowExecutionSignaled event, which the sender cannot write into the signal's arguments.
 */
export interface SignalSenders {
  /** The identity that sent the `ordinal`-th (1-based) signal named `signalName` to `workflowId`; null when not found. */
  senderOf(workflowId: string, signalName: string, ordinal: number): Promise<string | null>;
}

export function signalSenders(client: () => Promise<Client>): SignalSenders {
  return {
    async senderOf(workflowId, signalName, ordinal) {
      const history = await (await client()).workflow.getHandle(workflowId).fetchHistory();
      const signals = (history.events ?? [])
        .map((e) => e.workflowExecutionSignaledEventAttributes)
        .filter((a) => a?.signalName === signalName);
      return signals[ordinal - 1]?.identity || null;
    },
  };
}
