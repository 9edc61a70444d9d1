import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../src/audit/actor';
import type { FulfilResult } from '../../src/onramp/fulfilment';
import type { OnrampOrderView } from '../../src/onramp/render';

/** What the API asks of an on-ramp order's workflow (message definitions only: the API imports this file). */

export interface OnrampOrderInput {
  orderId: string;
  /** ISO time: the durable timer fires then, and the merchant reclaims what was not fulfilled. */
  expiresAt: string;
  /** ONRAMP_FULFILL_TIMEOUT_MS: a claim without a final answer this long fails the order with FULFILL_TIMEOUT. */
  fulfilTimeoutMs: number;
}

/** What fulfil answers when the claim got no final answer in time (003: FULFILL_TIMEOUT, not retryable). */
export type FulfilAnswer =
  FulfilResult | { outcome: 'FAILED'; order: OnrampOrderView; attempt: null; code: 'FULFILL_TIMEOUT'; message: string };

export const onrampPaymentSent = defineUpdate<OnrampOrderView, [Actor]>('paymentSent');
export const onrampFulfil = defineUpdate<FulfilAnswer, [{ proof: unknown; by: Actor }]>('fulfil');
export const onrampCancel = defineUpdate<OnrampOrderView, [Actor]>('cancel');
export const onrampState = defineQuery<OnrampOrderView | null>('state');

export interface OnrampMerchantInput {
  merchantId: string;
}
