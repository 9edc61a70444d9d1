/**
 * Every event type the platform emits, with the resource it is about and when it happens. `data` is the resource as
 * the API renders it at that moment (`GET` of the resource), except where noted. The OpenAPI document lists this
 * catalog; `GET /events?types=` and webhooks filter on these names (or `<family>.*`).
 */
export const EVENT_CATALOG = {
  'user.created': { resource: 'user', description: 'A user was created (POST /users). data: the user.' },
  'wallet.created': {
    resource: 'wallet',
    description: 'A user’s Stellar wallet was generated, not active yet (PENDING). Resource id: the user id. data: the wallet.',
  },
  'wallet.activated': {
    resource: 'wallet',
    description: 'The wallet’s account and USDC trustline exist on chain (ACTIVE). data: the wallet.',
  },
  'wallet.failed': { resource: 'wallet', description: 'The wallet could not be activated in time (FAILED). data: the wallet.' },
  'balance.updated': {
    resource: 'balance',
    description: 'A ledger movement changed a user’s balances. Resource id: the user id. data: the balances (GET /users/{id}/balance).',
  },
  'deposit.credited': {
    resource: 'deposit',
    description:
      'A USDC payment to a user’s wallet was credited. Resource id: the Stellar operation id. data: amount, sender, transaction.',
  },
  'deposits.network_reset': {
    resource: 'network',
    description: 'The deposit scanner found the Stellar network reset under it (an operator event). data: the cursor and ledgers.',
  },
  'withdrawal.committed': { resource: 'withdrawal', description: 'A withdrawal was recorded and its amount held. data: the withdrawal.' },
  'withdrawal.pending': { resource: 'withdrawal', description: 'The withdrawal’s payment is being submitted. data: the withdrawal.' },
  'withdrawal.completed': { resource: 'withdrawal', description: 'The payment is in a ledger; the hold is spent. data: the withdrawal.' },
  'withdrawal.failed': { resource: 'withdrawal', description: 'The payment was refused; the hold went back. data: the withdrawal.' },
  'withdrawal.awaiting_commit': {
    resource: 'withdrawal',
    description:
      'An Airtm payout was created uncommitted: the amount is held, nothing is sent until it is committed. data: the withdrawal.',
  },
  'withdrawal.awaiting_recipient': {
    resource: 'withdrawal',
    description: 'Airtm holds the committed payout until its recipient signs up or verifies (its PENDING); followed. data: the withdrawal.',
  },
  'withdrawal.canceled': {
    resource: 'withdrawal',
    description: 'The Airtm payout was cancelled; the hold went back. data: the withdrawal.',
  },
  'topup.created': { resource: 'topup', description: 'A top-up through Airtm was recorded (TOPUP_CREATED). data: the top-up.' },
  'topup.awaiting_user_confirmation': {
    resource: 'topup',
    description: 'Airtm’s pay-in exists; the user confirms it on the hosted page at confirmation_url. data: the top-up.',
  },
  'topup.processing': {
    resource: 'topup',
    description: 'The user paid; Airtm is settling the pay-in (TOPUP_PROCESSING). data: the top-up.',
  },
  'topup.succeeded': {
    resource: 'topup',
    description: 'Airtm confirmed the pay-in and the user’s available balance was credited, once (TOPUP_SUCCEEDED). data: the top-up.',
  },
  'topup.failed': { resource: 'topup', description: 'The pay-in failed; no balance changed. data: the top-up, with failure_reason.' },
  'topup.canceled': {
    resource: 'topup',
    description: 'The pay-in was cancelled (by the user on Airtm’s page, or through the API). data: the top-up.',
  },
  'topup.expired': { resource: 'topup', description: 'The pay-in was not paid before it expired (15 days). data: the top-up.' },
  'order.created': { resource: 'order', description: 'An order was created (ORDER_CREATED). data: the order.' },
  'order.status_changed': {
    resource: 'order',
    description:
      'An order moved to another status (reserve, escrow steps, delivery, release, refund, dispute, cancel, …). data: the order.',
  },
  'order.command_rejected': {
    resource: 'order',
    description:
      'A command sent to the order’s workflow as a signal (Temporal UI/CLI) was refused; nothing changed. data: command, reason.',
  },
  'escrow.created': {
    resource: 'order',
    description: 'The order’s escrow contract was deployed. data: the escrow (GET /orders/{id}/escrow).',
  },
  'escrow.funded': { resource: 'order', description: 'The escrow received the order’s amount. data: the escrow.' },
  'escrow.released': { resource: 'order', description: 'The seller was paid; the escrow is complete. data: the escrow.' },
  'escrow.disputed': { resource: 'order', description: 'A dispute was opened on the escrow. data: the escrow.' },
  'escrow.refunded': { resource: 'order', description: 'The escrow was refunded to the buyer. data: the escrow.' },
  'escrow.split': { resource: 'order', description: 'A dispute resolution split the escrow between the parties. data: the escrow.' },
  'dispute.opened': { resource: 'dispute', description: 'A dispute was opened on an order. data: the dispute.' },
  'dispute.assigned': { resource: 'dispute', description: 'Support assigned the dispute. data: the dispute.' },
  'dispute.resolving': { resource: 'dispute', description: 'A decision was taken and is being paid out (RESOLVING). data: the dispute.' },
  'dispute.reopened': {
    resource: 'dispute',
    description: 'The decision could not be paid out; the dispute is OPEN again. data: the dispute.',
  },
  'dispute.resolved': { resource: 'dispute', description: 'The decision was paid out (RESOLVED). data: the dispute.' },
  'onramp.created': {
    resource: 'onramp_order',
    description: 'An on-ramp order (document 003) was created (SESSION_CREATED). data: the order as GET /onramp/orders/{id} shows it.',
  },
  'onramp.status_changed': {
    resource: 'onramp_order',
    description:
      'An on-ramp order moved to another status (signal sent and mined, payment sent, proof verified, fulfilled, expired, cancelled, failed). data: the order.',
  },
} as const satisfies Record<string, { resource: string; description: string }>;

export type EventType = keyof typeof EVENT_CATALOG;
export type EventResource = (typeof EVENT_CATALOG)[EventType]['resource'];

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** The type families: `order` for order.*, … (what a `<family>.*` filter may name). */
export const EVENT_FAMILIES = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0]))];

export function resourceOf(type: EventType): EventResource {
  return EVENT_CATALOG[type].resource;
}

/** True for a catalog type or `<family>.*` of a family in the catalog. */
export function isEventPattern(pattern: string): boolean {
  if (pattern.endsWith('.*')) return EVENT_FAMILIES.includes(pattern.slice(0, -2));
  return pattern in EVENT_CATALOG;
}
