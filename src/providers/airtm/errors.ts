/**
 * Airtm refused the request: a business answer (a documented reason code, an unknown one, a 4xx without one, or an
 * answer this adapter cannot read), not worth retrying as is. `knownCode` is false when an operator must look (an
 * unknown code, Airtm's "unexpected"/"unknown" error, an unreadable answer): it is never retried as an outage.
 */
export class AirtmRefusal extends Error {
  override name = 'AirtmRefusal';
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

/** Airtm could not be reached or failed (timeout, 5xx without a reason code, 429): retry later. */
export class AirtmUnavailable extends Error {
  override name = 'AirtmUnavailable';
  constructor(
    message: string,
    /** On a 429: how long Airtm asked us to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
