import { formatEventId } from '../events/event-id';
import type { DeliveryRow, EndpointRow } from './webhooks-repository';

/** Webhook endpoints and delivery attempts as the API shows them (secrets never: only the create and rotate answers hold one). */
export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  /** Until then, deliveries also carry a signature with the secret before the last rotation. */
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryView {
  id: string;
  webhook_id: string;
  event_id: string;
  attempt: number;
  manual: boolean;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

export function renderEndpoint(e: EndpointRow, now = Date.now()): EndpointView {
  const overlap = e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now ? e.previousSecretExpiresAt.toISOString() : null;
  return {
    id: e.id,
    url: e.url,
    events: e.eventTypes,
    description: e.description,
    status: e.status as EndpointView['status'],
    disabled_reason: e.disabledReason,
    previous_secret_expires_at: overlap,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function renderDelivery(d: DeliveryRow): DeliveryView {
  return {
    id: d.id,
    webhook_id: d.endpointId,
    event_id: formatEventId(d.eventId),
    attempt: d.attempt,
    manual: d.manual,
    status_code: d.statusCode,
    latency_ms: d.latencyMs,
    error: d.error,
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}
