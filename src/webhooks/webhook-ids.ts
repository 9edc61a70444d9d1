import { derivedId } from '../ids';

/** Ids of webhook rows: endpoints `whk_…`, delivery attempts `whd_…`. */
export const ENDPOINT_PREFIX = 'whk';
export const DELIVERY_PREFIX = 'whd';

/** The id of a scheduled attempt: the same (endpoint, event, attempt) always names the same row. */
export function scheduledDeliveryId(endpointId: string, eventId: bigint, attempt: number): string {
  return derivedId(DELIVERY_PREFIX, `${endpointId}:${eventId}:${attempt}`);
}

/** Binds a sealed secret to its endpoint, so a ciphertext copied onto another row (or a wallet) does not open. */
export const secretBinding = (endpointId: string) => `webhook:${endpointId}`;

/** Temporal workflow ids: one delivery workflow per endpoint, one per manual redelivery. */
export const webhookWorkflowId = (endpointId: string) => `webhook-${endpointId}`;
export const webhookRedeliveryWorkflowId = (deliveryId: string) => `webhook-redelivery-${deliveryId}`;
