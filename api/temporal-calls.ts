import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError, ERROR_STATUS, type ErrorCode } from '../src/errors';
import type { ApiDeps } from './context';

/**
 * Runs a Temporal call within a deadline (the configured WORKFLOW_UPDATE_TIMEOUT_MS unless given) and turns what can
 * go wrong into API errors: a business refusal raised in the workflow keeps its code (INSUFFICIENT_FUNDS,
 * INVALID_STATE, …); no answer in time is 504 PROVIDER_TIMEOUT (NoAnswerInTime); an unreachable Temporal is 503
 * SERVICE_UNAVAILABLE.
 */
export async function callWorkflow<T>(
  deps: ApiDeps,
  call: (client: Awaited<ReturnType<ApiDeps['temporal']['client']>>) => Promise<T>,
  deadlineMs = deps.config.WORKFLOW_UPDATE_TIMEOUT_MS,
): Promise<T> {
  let client;
  try {
    client = await deps.temporal.client();
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', 'The workflow service cannot be reached; retry later');
  }
  try {
    return await client.withDeadline(Date.now() + deadlineMs, () => call(client));
  } catch (err) {
    throw toAppError(err);
  }
}

/** Temporal gave no answer within the deadline: the request may still complete (504 PROVIDER_TIMEOUT). */
class NoAnswerInTime extends AppError {
  constructor() {
    super('PROVIDER_TIMEOUT', 'The workflow did not answer in time; the request may still complete — retry with the same Idempotency-Key');
  }
}

/**
 * Waits up to `waitMs` for a call that long-polls (an update's result): true when it answered, false when the wait ran
 * out (the step goes on: not an error). A refusal it answers is thrown as an API error, as callWorkflow does.
 */
export async function waitForWorkflow(deps: ApiDeps, waitMs: number, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await callWorkflow(deps, call, waitMs);
    return true;
  } catch (err) {
    if (err instanceof NoAnswerInTime) return false;
    throw err;
  }
}

function toAppError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type && cause.type in ERROR_STATUS) {
      const details = (cause.details?.[0] ?? {}) as Record<string, unknown>;
      return new AppError(cause.type as ErrorCode, cause.message, details);
    }
    return err;
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new NoAnswerInTime();
  const code = (err as { code?: number }).code ?? (err instanceof ServiceError ? (err.cause as { code?: number })?.code : undefined);
  if (code === 4 /* DEADLINE_EXCEEDED */ || code === 1 /* CANCELLED */) return new NoAnswerInTime();
  if (code === 14 /* UNAVAILABLE */) return new AppError('SERVICE_UNAVAILABLE', 'The workflow service cannot be reached; retry later');
  return err;
}
