import type { Config } from '../../config';
import { AppError } from '../../errors';
import { parseRetryAfter } from '../../retry-after';
import { toAirtmAmount } from './amounts';
import { AirtmRefusal, AirtmUnavailable } from './errors';
import { parseBalance, parsePayin, parsePayout, parseUser } from './parse';
import { REASON_CODES, classify, errorBodyOf } from './problems';
import type { AirtmUser, CreatePayinInput, CreatePayoutInput, Payin, Payout } from './types';

export { AirtmRefusal, AirtmUnavailable } from './errors';

/** #/servers: production first, then the sandbox ("Environments" in #/info/description). */
export const AIRTM_PRODUCTION_URL = 'https://api.enterprise.airtm.com/v2';
export const AIRTM_SANDBOX_URL = 'https://api.stg.enterprise.airtm.com/v2';

/** "10 requests per second per API key" (#/info/description, "Rate Limits"): without a Retry-After, a second's wait. */
const RATE_WINDOW_MS = 1000;

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * The Airtm Enterprise API V2 (docs/airtm.md), at a URL from configuration (#/servers: `…/v2`), HTTP Basic auth with
 * the API key and secret on every call (#/components/securitySchemes/basicAuth). Amounts in and out are bigint stroops.
 *
 * A call that timed out may have been carried out: creations carry our own unique `code`, so a caller recovers with
 * getPayinByCode / getPayoutByCode rather than creating again (Airtm refuses a second `code`: 415029, 415056).
 */
export class AirtmClient {
  private readonly authorization: string;

  constructor(
    private readonly opts: {
      baseUrl: string;
      apiKey: string;
      apiSecret: string;
      timeoutMs?: number;
      /** A 429 whose Retry-After is at most this long (default 10 s) is waited out and the call made again, once. */
      maxRateLimitWaitMs?: number;
    },
  ) {
    this.authorization = `Basic ${Buffer.from(`${opts.apiKey}:${opts.apiSecret}`).toString('base64')}`;
  }

  /**
   * Where to send the user to confirm or cancel a pay-in: "redirect the user to: https://<API Host>/payin/:id"
   * (#/paths/~1payins/post/description, "Usage" step 2). The API host is the base URL's origin.
   */
  checkoutUrl(payinId: string): string {
    return new URL(`/payin/${encodeURIComponent(payinId)}`, this.opts.baseUrl).toString();
  }

  /** POST /payins (#/paths/~1payins/post): the pay-in, `CREATED`. Items must add up to the amount (the spec's rule). */
  async createPayin(input: CreatePayinInput): Promise<Payin> {
    const total = input.items.reduce((sum, it) => sum + it.amount * BigInt(checkQuantity(it.quantity)), 0n);
    if (total !== input.amount)
      throw new AppError('VALIDATION_ERROR', 'the items must add up to the amount (amount × quantity, summed)', {
        field: 'items',
        reason: 'items_do_not_add_up',
        provider: 'airtm',
      });
    const body = {
      code: input.code,
      amount: toAirtmAmount(input.amount),
      description: input.description,
      items: input.items.map((it, i) => ({
        description: it.description,
        amount: toAirtmAmount(it.amount, `items[${i}].amount`),
        quantity: it.quantity,
      })),
      confirmationUri: input.confirmationUri,
      cancelUri: input.cancelUri,
    };
    return parsePayin(await this.request('POST', '/payins', body));
  }
  /** GET /payins/{id} (#/paths/~1payins~1{id}/get). */
  async getPayin(id: string): Promise<Payin> {
    return parsePayin(await this.request('GET', `/payins/${encodeURIComponent(id)}`));
  }
  /** GET /payins/by-code/{code} (#/paths/~1payins~1by-code~1{code}/get). */
  async getPayinByCode(code: string): Promise<Payin> {
    return parsePayin(await this.request('GET', `/payins/by-code/${encodeURIComponent(code)}`));
  }
  /** DELETE /payins/{id} (#/paths/~1payins~1{id}/delete): the cancelled pay-in. */
  async cancelPayin(id: string): Promise<Payin> {
    return parsePayin(await this.request('DELETE', `/payins/${encodeURIComponent(id)}`));
  }

  /** POST /payouts (#/paths/~1payouts/post): `CREATED`, or committed at once with `commit: true`. */
  async createPayout(input: CreatePayoutInput): Promise<Payout> {
    const body: Record<string, unknown> = {
      airtmUserEmail: input.airtmUserEmail,
      amount: toAirtmAmount(input.amount),
      notes: input.notes,
    };
    if (input.code !== undefined) body.code = input.code;
    if (input.commit !== undefined) body.commit = input.commit;
    if (input.internalNote !== undefined) body.internalNote = input.internalNote;
    if (input.requireIdVerified !== undefined) body.requireIdVerified = input.requireIdVerified;
    return parsePayout(await this.request('POST', '/payouts', body));
  }
  /** POST /payouts/{id}/commit (#/paths/~1payouts~1{id}~1commit/post): an empty 2xx; read the payout to follow it. */
  async commitPayout(id: string): Promise<void> {
    await this.request('POST', `/payouts/${encodeURIComponent(id)}/commit`);
  }
  /** GET /payouts/{id} (#/paths/~1payouts~1{id}/get). */
  async getPayout(id: string): Promise<Payout> {
    return parsePayout(await this.request('GET', `/payouts/${encodeURIComponent(id)}`));
  }
  /** GET /payouts/by-code/{code} (#/paths/~1payouts~1by-code~1{code}/get). */
  async getPayoutByCode(code: string): Promise<Payout> {
    return parsePayout(await this.request('GET', `/payouts/by-code/${encodeURIComponent(code)}`));
  }
  /** DELETE /payouts/{id} (#/paths/~1payouts~1{id}/delete): only `CREATED` or `PENDING` payouts. */
  async cancelPayout(id: string): Promise<Payout> {
    return parsePayout(await this.request('DELETE', `/payouts/${encodeURIComponent(id)}`));
  }
  /** GET /users/{email} (#/paths/~1users~1{email}/get; the email URL-encoded, as the spec asks). */
  async getUser(email: string): Promise<AirtmUser> {
    return parseUser(await this.request('GET', `/users/${encodeURIComponent(email)}`));
  }

  /** GET /me/balance (#/paths/~1me~1balance/get): the enterprise's `available`, and `pending` in committed pending payouts. */
  async getBalance(): Promise<{ available: bigint; pending: bigint }> {
    return parseBalance(await this.request('GET', '/me/balance'));
  }

  private async request(method: Method, path: string, body?: unknown, waited = false): Promise<unknown> {
    const what = `Airtm ${method} ${path}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.opts.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      throw new AirtmUnavailable(`${what} could not be reached: ${(err as Error).message}`);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    if (res.ok) return parsed;

    // 429 ("HTTP 429 when exceeded", #/info/description "Rate Limits"): wait what Retry-After asks, once, when that fits.
    if (res.status === 429) {
      const waitMs = parseRetryAfter(res.headers.get('retry-after')) ?? RATE_WINDOW_MS;
      if (!waited && waitMs <= (this.opts.maxRateLimitWaitMs ?? 10_000)) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        return this.request(method, path, body, true);
      }
      throw new AirtmUnavailable(`${what} answered 429: retry after ${waitMs} ms`, waitMs);
    }
    const error = errorBodyOf(parsed);
    if (error) {
      const known = classify(error.code) === 'refusal';
      const name = REASON_CODES[error.code];
      const message = `${error.code}${name ? ` (${name})` : ''}: ${error.message}`;
      throw new AirtmRefusal(res.status, known ? message : `unknown Airtm code ${message}`, parsed, error.code, known);
    }
    if (res.status >= 500) throw new AirtmUnavailable(`${what} answered ${res.status}`);
    throw new AirtmRefusal(res.status, `${what} answered ${res.status}`, parsed, null, false);
  }
}

/** `quantity`: "minimum: 1", multiplied with the amount (#/components/schemas/CreatePayinItem); whole items only here. */
function checkQuantity(quantity: number): number {
  if (!Number.isSafeInteger(quantity) || quantity < 1)
    throw new AppError('VALIDATION_ERROR', 'items[].quantity must be a whole number of at least 1', {
      field: 'items',
      reason: 'bad_quantity',
      provider: 'airtm',
    });
  return quantity;
}

/** The client the configuration describes, or null when Airtm is not configured (no URL, key or secret). */
export function airtmFromConfig(
  config: Pick<Config, 'AIRTM_API_URL' | 'AIRTM_API_KEY' | 'AIRTM_API_SECRET' | 'AIRTM_TIMEOUT_MS'>,
): AirtmClient | null {
  return config.AIRTM_API_URL && config.AIRTM_API_KEY && config.AIRTM_API_SECRET
    ? new AirtmClient({
        baseUrl: config.AIRTM_API_URL,
        apiKey: config.AIRTM_API_KEY,
        apiSecret: config.AIRTM_API_SECRET,
        timeoutMs: config.AIRTM_TIMEOUT_MS,
      })
    : null;
}
