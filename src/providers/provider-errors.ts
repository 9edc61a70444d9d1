/**
 * The two ways a provider (Trustless Work, Airtm) answers that are not a result, shared by their adapters. Each adapter
 * subclasses them under its own name: callers tell providers apart with `instanceof`, and Temporal reports a
 * failure's type by the error's name.
 */

/**
 * The provider refused the request: a business answer (a documented code, an unknown one, a 4xx without one, or an
 * answer the adapter cannot read), not worth retrying as is. `code` is the provider's code when there was one;
 * `knownCode` is false when an operator must look (an unknown code, an unreadable answer): it is never retried as an
 * outage.
 */
export class ProviderRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    readonly code: string | null = null,
    readonly knownCode = true,
  ) {
    super(message);
  }
}

/** The provider could not be reached or failed (timeout, 5xx without a code, 429): retry later. */
export class ProviderUnavailable extends Error {
  constructor(
    message: string,
    /** On a 429: how long the provider asked us to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
