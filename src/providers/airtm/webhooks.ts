import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Airtm's webhooks, delivered by Svix (#/tags[name=Webhooks]/description, "Verifying Signatures"): the raw body is
 * signed with the endpoint's secret, and the headers `svix-id`, `svix-timestamp` and `svix-signature` carry the
 * message id, the time and the signatures. The spec's example verifies with the `svix` package's
 * `new Webhook(secret).verify(payload, headers)`; that method (svix 2.5.0, src/webhook.ts) renames the three headers
 * to `webhook-id`, `webhook-timestamp`, `webhook-signature` and calls `standardwebhooks`' `Webhook.verify`, Svix's
 * own library, which the project already depends on (svix 2.x is ESM-only for Node 22; this project is CommonJS on
 * Node 20). So this module does the renaming and calls `standardwebhooks` itself: the same check, byte for byte,
 * including its fixed tolerance of five minutes either way around now (WEBHOOK_TOLERANCE_IN_SECONDS = 5 * 60).
 * Fail closed: anything that does not verify is an AirtmWebhookRejected, and nothing of its body is trusted.
 */

/** The events #/webhooks names (payin.* with a PayinResponse, payout.* with a PayoutResponse, as `data`). */
export const AIRTM_WEBHOOK_EVENTS = [
  'payin.created',
  'payin.confirmed',
  'payin.failed',
  'payin.canceled',
  'payout.created',
  'payout.completed',
  'payout.failed',
  'payout.canceled',
] as const;
export type AirtmWebhookEventType = (typeof AIRTM_WEBHOOK_EVENTS)[number];

/** A verified delivery: the Svix message id (the same on every redelivery: drop one seen before) and the body. */
export interface AirtmWebhookEvent {
  svixId: string;
  /** When Svix signed this attempt (`svix-timestamp`, seconds since the epoch). */
  timestamp: number;
  /** `type` of the body (#/webhooks/<name>/post/requestBody/…/properties/type); an unknown one is kept, not guessed. */
  type: string;
  known: boolean;
  /** `data` of the body, unparsed: the raw payin or payout (parsePayin / parsePayout read it). */
  data: unknown;
}

export type WebhookRejection = 'missing_headers' | 'bad_signature' | 'stale_or_future' | 'malformed_body';

/** A delivery refused: answer 401 and store nothing. */
export class AirtmWebhookRejected extends Error {
  override name = 'AirtmWebhookRejected';
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
  }
}

const HEADERS = ['svix-id', 'svix-timestamp', 'svix-signature'] as const;

export class AirtmWebhookVerifier {
  private readonly webhook: Webhook;

  /** `secret`: the endpoint's signing secret (`whsec_…`). Without one there is no verifier (Airtm mode must not start). */
  constructor(secret: string) {
    if (!secret) throw new Error('AIRTM_WEBHOOK_SECRET is required to verify Airtm webhooks');
    this.webhook = new Webhook(secret);
  }

  /**
   * The verified event, or AirtmWebhookRejected. `rawBody` must be the bytes as received (a re-serialized JSON
   * would not verify: "Not using the raw payload body", #/tags[name=Webhooks]/description).
   */
  verify(rawBody: string | Buffer, headers: Record<string, string | string[] | undefined>): AirtmWebhookEvent {
    const picked: Record<string, string> = {};
    for (const name of HEADERS) {
      const value = headers[name] ?? headers[name.toUpperCase()];
      if (typeof value !== 'string' || value === '') throw new AirtmWebhookRejected('missing_headers', `${name} is missing`);
      picked[name] = value;
    }
    try {
      // What svix's Webhook.verify does: the Svix names as the Standard Webhooks ones, then verify.
      this.webhook.verify(
        rawBody,
        {
          'webhook-id': picked['svix-id']!,
          'webhook-timestamp': picked['svix-timestamp']!,
          'webhook-signature': picked['svix-signature']!,
        },
        { jsonParse: false },
      );
    } catch (err) {
      if (err instanceof WebhookVerificationError && /timestamp too (old|new)/i.test((err as Error).message))
        throw new AirtmWebhookRejected('stale_or_future', 'svix-timestamp is more than five minutes from now');
      throw new AirtmWebhookRejected('bad_signature', 'the signature does not match');
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString());
    } catch {
      throw new AirtmWebhookRejected('malformed_body', 'the body is not JSON');
    }
    if (!body || typeof body !== 'object' || typeof (body as { type?: unknown }).type !== 'string' || !('data' in body))
      throw new AirtmWebhookRejected('malformed_body', 'the body must be {type, data}');
    const { type, data } = body as { type: string; data: unknown };
    return {
      svixId: picked['svix-id']!,
      timestamp: Number(picked['svix-timestamp']),
      type,
      known: (AIRTM_WEBHOOK_EVENTS as readonly string[]).includes(type),
      data,
    };
  }
}
