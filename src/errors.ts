/** The closed set of error codes the API answers with, and their HTTP statuses. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_SCOPE: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  WITHDRAWAL_NOT_FOUND: 404,
  DISPUTE_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  TOPUP_NOT_FOUND: 404,
  USER_ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  AIRTM_ACCOUNT_NOT_LINKED: 409,
  /** A route of a payment rail PAYMENT_PROVIDER does not enable (Stellar in airtm mode, Airtm in crypto mode). */
  PROVIDER_NOT_ENABLED: 409,
  ORDER_ALREADY_FULFILLED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  INSUFFICIENT_FUNDS: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  PROVIDER_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
