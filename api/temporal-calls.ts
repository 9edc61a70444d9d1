import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError, ERROR_STATUS, type ErrorCode } from '../src/errors';
import type { ApiDeps } from './context';

/**
 * Runs a Temporal call within the configured deadline and turns what can go wrong into API errors: a business
 * refusal raised in the workflow keeps its code (INSUFFICIENT_FUNDS, INVALID_STATE, …); no answer in time is
 * 504 PROVIDER_TIMEOUT; an unreachable Temporal is 503 SERVICE_UNAVAILABLE.
 */
export async function callWorkflow<T>(
  deps: ApiDeps,
  call: (client: Awaited<ReturnType<ApiDeps['temporal']['client']>>) => Promise<T>,
): Promise<T> {
  let client;
  try {
    client = await deps.temporal.client();
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', 'The workflow service cannot be reached; retry later');
  }
  try {
    return await client.withDeadline(Date.now() + deps.config.WORKFLOW_UPDATE_TIMEOUT_MS, () => call(client));
  } catch (err) {
    throw toAppError(err);
  }
}

/**
 * Waits up to `waitMs` for a call that long-polls (an update's result): true when it answered, false when the wait ran
 * out (the step goes on: not an error). A refusal it answers is thrown as an API error, as callWorkflow does.
 */
export async function waitForWorkflow(deps: ApiDeps, waitMs: number, call: () => Promise<unknown>): Promise<boolean> {
  const client = await deps.temporal.client().catch(() => {
    throw new AppError('SERVICE_UNAVAILABLE', 'The workflow service cannot be reached; retry later');
  });
  try {
    await client.withDeadline(Date.now() + waitMs, call);
    return true;
  } catch (err) {
    const mapped = toAppError(err);
    if (mapped instanceof AppError && mapped.code === 'PROVIDER_TIMEOUT' && !(err instanceof WorkflowUpdateFailedError)) return false;
    throw mapped;
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
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new AppError(
      'PROVIDER_TIMEOUT',
      'The workflow did not answer in time; the request may still complete — retry with the same Idempotency-Key',
    );
  }
  const code = (err as { code?: number }).code ?? (err instanceof ServiceError ? (err.cause as { code?: number })?.code : undefined);
  if (code === 4 /* DEADLINE_EXCEEDED */ || code === 1 /* CANCELLED */) {
    return new AppError(
      'PROVIDER_TIMEOUT',
      'The workflow did not answer in time; the request may still complete — retry with the same Idempotency-Key',
    );
  }
  if (code === 14 /* UNAVAILABLE */) return new AppError('SERVICE_UNAVAILABLE', 'The workflow service cannot be reached; retry later');
  return err;
}
