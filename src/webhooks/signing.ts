import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (standardwebhooks.com), through its reference library: each delivery carries `webhook-id`
 * (the event id, the same on every attempt), `webhook-timestamp` (seconds) and `webhook-signature`, one `v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated (during a rotation: the new secret's and the old's).
 */

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes (the specification asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signDelivery(secrets: string[], messageId: string, at: Date, body: string): SignedHeaders {
  if (secrets.length === 0) throw new Error('a delivery needs at least one secret');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': Math.floor(at.getTime() / 1000).toString(),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(messageId, at, body)).join(' '),
  };
}
