import {
  ALLOWED_FROM,
  IN_FLIGHT,
  decide,
  initialOrderState,
  InvalidTransition,
  isTerminal,
  ORDER_STATUSES,
  type OrderCommand,
  type OrderState,
} from '../../src/orders/order-state';

function run(...commands: OrderCommand[]): OrderState {
  let s = initialOrderState;
  for (const c of commands) {
    const next = decide(s, c);
    if (next instanceof InvalidTransition) throw new Error(next.message);
    s = next;
  }
  return s;
}

const funded: OrderCommand[] = [
  { kind: 'reserve' },
  { kind: 'createEscrow' },
  { kind: 'escrowCreated', contractId: 'C1' },
  { kind: 'fund' },
  { kind: 'funded' },
];

/** Delivery runs on chain: DELIVERING while the milestone is completed, then DELIVERED. */
const delivery: OrderCommand[] = [{ kind: 'deliver' }, { kind: 'delivered' }];

test('delivery shows DELIVERING while it runs on chain; done it is DELIVERED, refused it goes back to IN_PROGRESS', () => {
  expect(run(...funded, { kind: 'deliver' })).toMatchObject({ status: 'DELIVERING', delivered: false, escrow: 'FUNDED' });
  expect(run(...funded, ...delivery)).toMatchObject({ status: 'DELIVERED', delivered: true });
  expect(run(...funded, { kind: 'deliver' }, { kind: 'deliveryFailed' })).toMatchObject({ status: 'IN_PROGRESS', delivered: false });
  const busy = decide(run(...funded, { kind: 'deliver' }), { kind: 'dispute', disputeId: 'd' });
  expect(busy).toMatchObject({ code: 'INVALID_STATE', status: 'DELIVERING', allowedFrom: ['IN_PROGRESS', 'DELIVERED'] });
});

test('a history recorded before delivery had its in-flight status still goes straight to DELIVERED', () => {
  expect(run(...funded, { kind: 'deliver', recordedBeforeInFlight: true })).toMatchObject({ status: 'DELIVERED', delivered: true });
});

test('the happy path: reserve, escrow, fund, deliver, release ends RELEASED with the escrow RELEASED', () => {
  const s = run(...funded, ...delivery, { kind: 'release' }, { kind: 'settled' });
  expect(s).toMatchObject({ status: 'RELEASED', escrow: 'RELEASED', contractId: 'C1', delivered: true, settlingTo: null });
  expect(isTerminal(s)).toBe(true);
});

test('funding leaves the order IN_PROGRESS with the escrow FUNDED; a failed funding returns to ESCROW_CREATED', () => {
  expect(run(...funded)).toMatchObject({ status: 'IN_PROGRESS', escrow: 'FUNDED' });
  expect(run(...funded.slice(0, 4), { kind: 'fundingFailed' })).toMatchObject({ status: 'ESCROW_CREATED', escrow: 'CREATED' });
});

test.each([
  ['FULL_RELEASE', 'RELEASED', 'RELEASED'],
  ['FULL_REFUND', 'REFUNDED', 'REFUNDED'],
  ['SPLIT', 'CLOSED', 'SPLIT'],
] as const)('a dispute resolved as %s ends %s with the escrow %s', (decision, status, escrow) => {
  const disputed = run(...funded, { kind: 'dispute', disputeId: 'dsp_1' });
  expect(disputed).toMatchObject({ status: 'DISPUTED', escrow: 'DISPUTED', disputeId: 'dsp_1' });
  expect(run(...funded, { kind: 'dispute', disputeId: 'dsp_1' }, { kind: 'resolve', decision }, { kind: 'settled' })).toMatchObject({
    status,
    escrow,
  });
});

test('cancel is allowed only before funding; afterwards it is INVALID_STATE naming the current status', () => {
  expect(run({ kind: 'reserve' }, { kind: 'cancel' }).status).toBe('CANCELLED');
  const refused = decide(run(...funded), { kind: 'cancel' });
  expect(refused).toBeInstanceOf(InvalidTransition);
  expect(refused).toMatchObject({ code: 'INVALID_STATE', status: 'IN_PROGRESS', command: 'cancel' });
});

test('every command outside its allowed states is refused, and inside them accepted (exhaustive over states)', () => {
  const reach: Record<string, OrderState> = {
    ORDER_CREATED: initialOrderState,
    FUNDS_RESERVED: run({ kind: 'reserve' }),
    ESCROW_CREATING: run({ kind: 'reserve' }, { kind: 'createEscrow' }),
    ESCROW_CREATED: run(...funded.slice(0, 3)),
    ESCROW_FUNDING: run(...funded.slice(0, 4)),
    IN_PROGRESS: run(...funded),
    DELIVERING: run(...funded, { kind: 'deliver' }),
    DELIVERED: run(...funded, ...delivery),
    DISPUTED: run(...funded, { kind: 'dispute', disputeId: 'd' }),
    RELEASING: run(...funded, { kind: 'release' }),
    REFUNDING: run(...funded, { kind: 'refund' }),
    RESOLVING: run(...funded, { kind: 'dispute', disputeId: 'd' }, { kind: 'resolve', decision: 'SPLIT' }),
    RELEASED: run(...funded, { kind: 'release' }, { kind: 'settled' }),
    REFUNDED: run(...funded, { kind: 'refund' }, { kind: 'settled' }),
    CLOSED: run(...funded, { kind: 'dispute', disputeId: 'd' }, { kind: 'resolve', decision: 'SPLIT' }, { kind: 'settled' }),
    CANCELLED: run({ kind: 'cancel' }),
  };
  expect(Object.keys(reach).sort()).toEqual([...ORDER_STATUSES].sort());
  const samples: Record<OrderCommand['kind'], OrderCommand> = {
    reserve: { kind: 'reserve' },
    cancel: { kind: 'cancel' },
    createEscrow: { kind: 'createEscrow' },
    escrowCreated: { kind: 'escrowCreated', contractId: 'C' },
    escrowCreationFailed: { kind: 'escrowCreationFailed' },
    fund: { kind: 'fund' },
    funded: { kind: 'funded' },
    fundingFailed: { kind: 'fundingFailed' },
    deliver: { kind: 'deliver' },
    delivered: { kind: 'delivered' },
    deliveryFailed: { kind: 'deliveryFailed' },
    release: { kind: 'release' },
    refund: { kind: 'refund' },
    dispute: { kind: 'dispute', disputeId: 'd' },
    resolve: { kind: 'resolve', decision: 'FULL_REFUND' },
    settled: { kind: 'settled' },
    settlementFailed: { kind: 'settlementFailed' },
    expireReservation: { kind: 'expireReservation' },
    expireOrder: { kind: 'expireOrder' },
  };
  for (const [status, state] of Object.entries(reach)) {
    for (const [kind, command] of Object.entries(samples)) {
      const allowed = ALLOWED_FROM[kind as OrderCommand['kind']].includes(state.status);
      const result = decide(state, command);
      expect([status, kind, result instanceof InvalidTransition]).toEqual([status, kind, !allowed]);
    }
  }
});

test('a refused settlement goes back to where it started, and a paid one keeps what it paid', () => {
  const delivered = run(...funded, ...delivery);
  expect(run(...funded, ...delivery, { kind: 'release' }, { kind: 'settlementFailed' })).toMatchObject({
    status: 'DELIVERED',
    escrow: 'FUNDED',
    settlingTo: null,
  });
  expect(delivered.status).toBe('DELIVERED');
  expect(run(...funded, { kind: 'refund' }, { kind: 'settlementFailed' })).toMatchObject({ status: 'IN_PROGRESS', escrow: 'FUNDED' });
  expect(
    run(...funded, { kind: 'dispute', disputeId: 'd' }, { kind: 'resolve', decision: 'SPLIT' }, { kind: 'settlementFailed' }),
  ).toMatchObject({ status: 'DISPUTED', escrow: 'DISPUTED' });
  const settlement = { releasedMinor: '1', refundedMinor: '2', platformFeeMinor: '3', protocolFeeMinor: '4', txHash: 'h' };
  expect(
    run(...funded, { kind: 'dispute', disputeId: 'd' }, { kind: 'resolve', decision: 'SPLIT' }, { kind: 'settled', settlement }),
  ).toMatchObject({ status: 'CLOSED', escrow: 'SPLIT', settlement });
});

test('an order never reserved expires to CANCELLED; once reserved it cannot expire that way', () => {
  expect(run({ kind: 'expireOrder' })).toEqual({ ...initialOrderState, status: 'CANCELLED' });
  const refused = decide(run({ kind: 'reserve' }), { kind: 'expireOrder' });
  expect(refused).toBeInstanceOf(InvalidTransition);
  expect((refused as InvalidTransition).allowedFrom).toEqual(['ORDER_CREATED']);
});

test('a refund is allowed before delivery only: from DELIVERED it is INVALID_STATE allowed from IN_PROGRESS (a dispute refunds after delivery)', () => {
  expect(run(...funded, { kind: 'refund' })).toMatchObject({ status: 'REFUNDING', settlingTo: { status: 'REFUNDED', escrow: 'REFUNDED' } });
  const delivered = run(...funded, ...delivery);
  const refused = decide(delivered, { kind: 'refund' });
  expect(refused).toBeInstanceOf(InvalidTransition);
  expect(refused).toMatchObject({ code: 'INVALID_STATE', command: 'refund', status: 'DELIVERED', allowedFrom: ['IN_PROGRESS'] });
  expect(
    run(...funded, ...delivery, { kind: 'dispute', disputeId: 'd' }, { kind: 'resolve', decision: 'FULL_REFUND' }, { kind: 'settled' }),
  ).toMatchObject({ status: 'REFUNDED', escrow: 'REFUNDED' });
});

test('a history recorded before that rule still decides its refund after delivery as it ran', () => {
  expect(run(...funded, ...delivery, { kind: 'refund', recordedBeforeDeliveryRule: true })).toMatchObject({
    status: 'REFUNDING',
    settlingFrom: 'DELIVERED',
  });
  expect(decide(run(...funded.slice(0, 3)), { kind: 'refund', recordedBeforeDeliveryRule: true })).toBeInstanceOf(InvalidTransition);
});

test('terminal orders accept nothing', () => {
  for (const s of [run({ kind: 'cancel' }), run(...funded, { kind: 'refund' }, { kind: 'settled' })]) {
    for (const kind of Object.keys(ALLOWED_FROM)) expect(ALLOWED_FROM[kind as OrderCommand['kind']]).not.toContain(s.status);
  }
});

test('the in-flight statuses (a 202 answer shows one of them) are exactly those a running step ends from', () => {
  expect([...IN_FLIGHT].sort()).toEqual(['DELIVERING', 'ESCROW_CREATING', 'ESCROW_FUNDING', 'REFUNDING', 'RELEASING', 'RESOLVING']);
});
