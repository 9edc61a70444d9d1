import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../src/audit/actor';
import type { TopupView } from '../../src/topups/render';
import type { PayinNotice, TopupRequest } from '../../src/topups/request';

export type { PayinNotice, TopupRequest };

/** What the API asks of a top-up workflow (message definitions only: the API imports this file). */

/** Records the top-up and creates its Airtm pay-in; answers the top-up with its confirmation_url. */
export const openTopup = defineUpdate<TopupView>('open');
/** Cancels the pay-in while the user has not paid (409 INVALID_STATE otherwise); answers the top-up. */
export const cancelTopup = defineUpdate<TopupView, [Actor]>('cancel');
/** A verified Airtm webhook about this top-up's pay-in (POST /webhooks/airtm). */
export const payinEvent = defineSignal<[PayinNotice]>('payinEvent');
export const topupState = defineQuery<TopupView | null>('state');
