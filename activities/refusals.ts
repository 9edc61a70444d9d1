import { ApplicationFailure } from '@temporalio/activity';
import { AppError } from '../src/errors';

/** A business refusal leaves an activity as a non-retryable failure whose type is the API error code. */
export function refusalOf(err: AppError): ApplicationFailure {
  return ApplicationFailure.create({ message: err.message, type: err.code, details: [err.details ?? {}], nonRetryable: true });
}

/** Rethrows a refusal (an AppError below 500) as a non-retryable failure; anything else as is, to be retried. */
export function rethrowRefusal(err: unknown): never {
  if (err instanceof AppError && err.status < 500) throw refusalOf(err);
  throw err;
}
