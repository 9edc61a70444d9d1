/**
 * The sandbox Airtm Enterprise API V2 (pay-ins with a hosted payment page, payouts, Svix-signed webhooks, fault
 * injection), pinned to Airtm's OpenAPI document v1.87.0. See README.md.
 */
export { startAirtmSandbox } from './server';
export type { AirtmSandbox, AirtmSandboxOptions, CallFault } from './types';
export { SVIX_SCHEDULE_MS, type Delivery } from './webhook-sender';
