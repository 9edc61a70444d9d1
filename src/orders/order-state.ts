/**
 * The order's state machine, pure: `decide(state, command)` answers the next state or why the command is not
 * allowed now. The order workflow runs every request through it before anything is written, and its update
 * validators use it to reject an invalid transition without touching the history.
 */

export const ORDER_STATUSES = [
  'ORDER_CREATED',
  'FUNDS_RESERVED',
  'ESCROW_CREATING',
  'ESCROW_CREATED',
  'ESCROW_FUNDING',
  'IN_PROGRESS',
  'DELIVERING',
  'DELIVERED',
  'DISPUTED',
  'RELEASING',
  'REFUNDING',
  'RESOLVING',
  'RELEASED',
  'REFUNDED',
  'CLOSED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ESCROW_STATUSES = ['CREATED', 'FUNDED', 'DISPUTED', 'RELEASED', 'REFUNDED', 'SPLIT'] as const;
export type EscrowStatus = (typeof ESCROW_STATUSES)[number];

export type Decision = 'FULL_RELEASE' | 'FULL_REFUND' | 'SPLIT';

/** What callers ask for (`kind` names the REST action) and what the workflow learns from its activities. */
export type OrderCommand =
  | { kind: 'reserve' }
  | { kind: 'cancel' }
  | { kind: 'createEscrow' }
  | { kind: 'escrowCreated'; contractId: string }
  | { kind: 'escrowCreationFailed' }
  | { kind: 'fund' }
  | { kind: 'funded' }
  | { kind: 'fundingFailed' }
  | {
      kind: 'deliver';
      /** Only to replay a history recorded before delivery had its in-flight status: it went straight to DELIVERED. */
      recordedBeforeInFlight?: true;
    }
  | { kind: 'delivered' }
  | { kind: 'deliveryFailed' }
  | { kind: 'release' }
  | {
      kind: 'refund';
      /** Only to replay a history recorded before refunds after delivery were refused: it is decided as it ran then. */
      recordedBeforeDeliveryRule?: true;
    }
  | { kind: 'dispute'; disputeId: string }
  | { kind: 'resolve'; decision: Decision }
  | { kind: 'settled'; settlement?: SettlementSummary }
  | { kind: 'settlementFailed' }
  | { kind: 'expireReservation' }
  | { kind: 'expireOrder' };

/** What a settlement paid (minor units as decimal strings). */
export interface SettlementSummary {
  releasedMinor: string;
  refundedMinor: string;
  platformFeeMinor: string;
  protocolFeeMinor: string;
  txHash: string;
}

/** The last refusal a step met (cleared by the next successful transition). */
export interface StepError {
  step: string;
  code: string;
  message: string;
  at: string;
}

export interface OrderState {
  status: OrderStatus;
  escrow: EscrowStatus | null;
  contractId: string | null;
  disputeId: string | null;
  delivered: boolean;
  /** Where a settlement in progress will land. */
  settlingTo: { status: 'RELEASED' | 'REFUNDED' | 'CLOSED'; escrow: 'RELEASED' | 'REFUNDED' | 'SPLIT' } | null;
  /** Where a settlement that is refused goes back to. */
  settlingFrom?: OrderStatus | null;
  settlement?: SettlementSummary | null;
  lastError?: StepError | null;
}

export const initialOrderState: OrderState = {
  status: 'ORDER_CREATED',
  escrow: null,
  contractId: null,
  disputeId: null,
  delivered: false,
  settlingTo: null,
};

export class InvalidTransition {
  readonly code = 'INVALID_STATE';
  constructor(
    readonly command: OrderCommand['kind'],
    readonly status: OrderStatus,
    readonly allowedFrom: readonly OrderStatus[],
  ) {}
  get message(): string {
    return `cannot ${this.command} an order in ${this.status}`;
  }
}

/** The states from which each command is accepted. */
export const ALLOWED_FROM: Record<OrderCommand['kind'], readonly OrderStatus[]> = {
  reserve: ['ORDER_CREATED'],
  cancel: ['ORDER_CREATED', 'FUNDS_RESERVED', 'ESCROW_CREATED'],
  createEscrow: ['FUNDS_RESERVED'],
  escrowCreated: ['ESCROW_CREATING'],
  escrowCreationFailed: ['ESCROW_CREATING'],
  fund: ['ESCROW_CREATED'],
  funded: ['ESCROW_FUNDING'],
  fundingFailed: ['ESCROW_FUNDING'],
  deliver: ['IN_PROGRESS'],
  delivered: ['DELIVERING'],
  deliveryFailed: ['DELIVERING'],
  release: ['IN_PROGRESS', 'DELIVERED'],
  // Before delivery only: once the seller has delivered, money goes back to the buyer only through a dispute
  // (resolved FULL_REFUND or SPLIT by support, which is also how a seller's consent to a refund is carried out).
  refund: ['IN_PROGRESS'],
  dispute: ['IN_PROGRESS', 'DELIVERED'],
  resolve: ['DISPUTED'],
  settled: ['RELEASING', 'REFUNDING', 'RESOLVING'],
  settlementFailed: ['RELEASING', 'REFUNDING', 'RESOLVING'],
  expireReservation: ['FUNDS_RESERVED', 'ESCROW_CREATED'],
  /** An order never reserved within its time (ORDER_CREATED_TTL_MS) ends: nothing was ever held. */
  expireOrder: ['ORDER_CREATED'],
};

/**
 * The statuses an order shows while a step runs on chain (ESCROW_CREATING, ESCROW_FUNDING, DELIVERING, RELEASING,
 * REFUNDING, RESOLVING): those the outcome of a running step is accepted from.
 */
export const IN_FLIGHT: ReadonlySet<OrderStatus> = new Set([
  ...ALLOWED_FROM.escrowCreated,
  ...ALLOWED_FROM.funded,
  ...ALLOWED_FROM.delivered,
  ...ALLOWED_FROM.settled,
]);

/** Where a refund was accepted before the rule above; only histories recorded then are decided by it. */
const REFUND_ALLOWED_FROM_BEFORE_DELIVERY_RULE: readonly OrderStatus[] = ['IN_PROGRESS', 'DELIVERED'];

export const TERMINAL: readonly OrderStatus[] = ['RELEASED', 'REFUNDED', 'CLOSED', 'CANCELLED'];

const SETTLEMENT: Record<Decision, NonNullable<OrderState['settlingTo']>> = {
  FULL_RELEASE: { status: 'RELEASED', escrow: 'RELEASED' },
  FULL_REFUND: { status: 'REFUNDED', escrow: 'REFUNDED' },
  SPLIT: { status: 'CLOSED', escrow: 'SPLIT' },
};

export function decide(state: OrderState, command: OrderCommand): OrderState | InvalidTransition {
  const allowedFrom =
    command.kind === 'refund' && command.recordedBeforeDeliveryRule ? REFUND_ALLOWED_FROM_BEFORE_DELIVERY_RULE : ALLOWED_FROM[command.kind];
  if (!allowedFrom.includes(state.status)) return new InvalidTransition(command.kind, state.status, allowedFrom);
  switch (command.kind) {
    case 'reserve':
      return { ...state, status: 'FUNDS_RESERVED' };
    case 'cancel':
    case 'expireReservation':
    case 'expireOrder':
      return { ...state, status: 'CANCELLED' };
    case 'createEscrow':
      return { ...state, status: 'ESCROW_CREATING' };
    case 'escrowCreated':
      return { ...state, status: 'ESCROW_CREATED', escrow: 'CREATED', contractId: command.contractId };
    case 'escrowCreationFailed':
      return { ...state, status: 'FUNDS_RESERVED' };
    case 'fund':
      return { ...state, status: 'ESCROW_FUNDING' };
    case 'funded':
      return { ...state, status: 'IN_PROGRESS', escrow: 'FUNDED' };
    case 'fundingFailed':
      return { ...state, status: 'ESCROW_CREATED' };
    case 'deliver':
      return command.recordedBeforeInFlight ? { ...state, status: 'DELIVERED', delivered: true } : { ...state, status: 'DELIVERING' };
    case 'delivered':
      return { ...state, status: 'DELIVERED', delivered: true };
    case 'deliveryFailed':
      return { ...state, status: 'IN_PROGRESS' };
    case 'release':
      return { ...state, status: 'RELEASING', settlingTo: SETTLEMENT.FULL_RELEASE, settlingFrom: state.status };
    case 'refund':
      return { ...state, status: 'REFUNDING', settlingTo: SETTLEMENT.FULL_REFUND, settlingFrom: state.status };
    case 'dispute':
      return { ...state, status: 'DISPUTED', escrow: 'DISPUTED', disputeId: command.disputeId };
    case 'resolve':
      return { ...state, status: 'RESOLVING', settlingTo: SETTLEMENT[command.decision], settlingFrom: state.status };
    case 'settled':
      return {
        ...state,
        status: state.settlingTo!.status,
        escrow: state.settlingTo!.escrow,
        settlingTo: null,
        settlingFrom: null,
        settlement: command.settlement ?? null,
      };
    case 'settlementFailed':
      return { ...state, status: state.settlingFrom ?? 'IN_PROGRESS', settlingTo: null, settlingFrom: null };
  }
}

export function isTerminal(state: OrderState): boolean {
  return TERMINAL.includes(state.status);
}
