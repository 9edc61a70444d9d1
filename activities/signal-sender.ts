import { Context } from '@temporalio/activity';
import type { Actor } from '../src/audit/actor';
import type { ActivityDeps } from './deps';

/**
 * `signal:<n>` (the workflow's n-th `resolve` signal) becomes `temporal:<identity>` of the client that sent it, as
 * Temporal recorded it: a signal's arguments are the sender's to write, its identity is not. Anything else (a REST
 * resolution's API key id) is returned as it is.
 */
export async function signalSenderOf(deps: ActivityDeps, who: string): Promise<string> {
  const ordinal = /^signal:(\d+)$/.exec(who)?.[1];
  if (!ordinal) return who;
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  const sender = workflowId ? await deps.signalSenders.senderOf(workflowId, 'resolve', Number(ordinal)) : null;
  return `temporal:${sender ?? 'unknown'}`;
}

/** The actor as the audit log records it: an operator's signal under the identity that sent it. */
export async function auditActor(deps: ActivityDeps, by: Actor): Promise<Actor> {
  return by.type === 'operator' ? { ...by, id: await signalSenderOf(deps, by.id) } : by;
}
