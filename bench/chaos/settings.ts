/**
 * The settings chaos runs the worker and the API with beyond the stack's own (URLs, keys): the lifetimes that let an
 * expiry or an abandonment end within a run, and provider timeouts short enough that an injected timeout costs seconds.
 * The lifecycles rely on these values (lifecycles/ reads them from here); the stack puts them in the processes' env.
 */
export const CHAOS_SETTINGS: Record<string, string> = {
  ORDER_CREATED_TTL_MS: '60000',
  // Long enough for an escrow to be created and funded through worker kills, provider faults and 5 s ledgers under the
  // K=200 run's load (the reservation runs until funded; at 120 s an escrow 229 s in the making lost its order), short
  // enough for order.expired to end within a run.
  ORDER_RESERVATION_TTL_MS: '300000',
  TOPUP_EXPIRY_MS: '60000',
  TOPUP_POLL_INITIAL_MS: '5000',
  TOPUP_POLL_MAX_MS: '20000',
  AIRTM_PAYOUT_POLL_INITIAL_MS: '2000',
  AIRTM_PAYOUT_POLL_MAX_MS: '20000',
  // The signal, the proof and the claim (a ledger each at 5 s, through faults and the K=200 run's load) must land
  // before the expiry.
  ONRAMP_ORDER_TTL_MS: '300000',
  STELLAR_SUBMIT_TIMEOUT_MS: '10000',
  TRUSTLESS_WORK_TIMEOUT_MS: '5000',
  AIRTM_TIMEOUT_MS: '5000',
  WEBHOOK_TIMEOUT_MS: '5000',
};
