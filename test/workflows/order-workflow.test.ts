import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, type WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Activities } from '../../activities';
import { orderWorkflowId } from '../../workflows/ids';
import {
  asActor,
  cancelOrder,
  createEscrow,
  deliverOrder,
  disputeOrder,
  fundEscrow,
  type OrderInput,
  orderSnapshot,
  type OrderSnapshot,
  refundOrder,
  releaseOrder,
  reserveOrder,
  type ResolveCommand,
  resolveOrder,
  resolveSignal,
} from '../../workflows/messages/order';
import type { order as orderWorkflow } from '../../workflows/order';
import { initialOrderState, type OrderStatus, type SettlementSummary } from '../../src/orders/order-state';
import { unique } from '../helpers/app';
import { useStubbedWorker } from '../helpers/stubbed-worker';
import { eventually } from '../helpers/stellar-stack';

/**
 * The order workflow on the real Temporal dev server, with every activity stubbed: each test decides per order what
 * the ledger and the escrow steps answer (a result, a refusal, a transient fault) and reads back which activities ran
 * with which inputs. Nothing here touches the database or a chain.
 */

type Used =
  | 'reserveOrderFunds'
  | 'releaseOrderReservation'
  | 'projectOrder'
  | 'createEscrowContract'
  | 'fundOrderEscrow'
  | 'markOrderDelivered'
  | 'releaseOrderEscrow'
  | 'refundOrderEscrow'
  | 'openOrderDispute'
  | 'resolveOrderDispute'
  | 'recordRejectedCommand';
type Input<K extends Used> = Parameters<Activities[K]>[0];
type Output<K extends Used> = Awaited<ReturnType<Activities[K]>>;
/** What one order's activity answers instead of the default: `attempt` counts Temporal's retries from 1. */
type Behaviour = { [K in Used]?: (input: Input<K>, attempt: number) => Output<K> | Promise<Output<K>> };
interface Call {
  name: Used;
  input: any;
  attempt: number;
}

const behaviours = new Map<string, Behaviour>();
const callLog = new Map<string, Call[]>();

const AMOUNT = '400000000'; // 40 USD in 7-decimal minor units
const FEE_BPS = 250;
const settlementOf = (orderId: string, kind: string, releasedMinor: string, refundedMinor: string): SettlementSummary => ({
  releasedMinor,
  refundedMinor,
  platformFeeMinor: ((BigInt(releasedMinor) * BigInt(FEE_BPS)) / 10_000n).toString(),
  protocolFeeMinor: '40000',
  txHash: `tx-${kind}-${orderId}`,
});

const defaults: { [K in Used]: (input: Input<K>) => Output<K> } = {
  reserveOrderFunds: () => undefined,
  releaseOrderReservation: () => undefined,
  projectOrder: () => undefined,
  createEscrowContract: (o) => ({ contractId: `C-${o.orderId}`, txHash: `tx-create-${o.orderId}` }),
  fundOrderEscrow: (o) => ({ txHash: `tx-fund-${o.orderId}` }),
  markOrderDelivered: (o) => ({ txHash: `tx-deliver-${o.orderId}` }),
  releaseOrderEscrow: (o) => settlementOf(o.orderId, 'release', o.amountMinor, '0'),
  refundOrderEscrow: (o) => settlementOf(o.orderId, 'refund', '0', o.amountMinor),
  openOrderDispute: () => undefined,
  resolveOrderDispute: (o) => settlementOf(o.orderId, 'resolve', o.releaseMinor, o.refundMinor),
  recordRejectedCommand: () => undefined,
};

function stub<K extends Used>(name: K): Activities[K] {
  const fn = async (input: Input<K>) => {
    const orderId = (input as { orderId: string }).orderId;
    const attempt = Context.current().info.attempt;
    if (!callLog.has(orderId)) callLog.set(orderId, []);
    callLog.get(orderId)!.push({ name, input: JSON.parse(JSON.stringify(input)), attempt });
    const custom = behaviours.get(orderId)?.[name] as ((i: Input<K>, a: number) => Output<K> | Promise<Output<K>>) | undefined;
    return custom ? custom(input, attempt) : defaults[name](input);
  };
  return fn as unknown as Activities[K];
}

/** Every activity the order workflow calls, and nothing else: a missing one would fail the workflow's activity. */
const activities: Pick<Activities, Used> = {
  reserveOrderFunds: stub('reserveOrderFunds'),
  releaseOrderReservation: stub('releaseOrderReservation'),
  projectOrder: stub('projectOrder'),
  createEscrowContract: stub('createEscrowContract'),
  fundOrderEscrow: stub('fundOrderEscrow'),
  markOrderDelivered: stub('markOrderDelivered'),
  releaseOrderEscrow: stub('releaseOrderEscrow'),
  refundOrderEscrow: stub('refundOrderEscrow'),
  openOrderDispute: stub('openOrderDispute'),
  resolveOrderDispute: stub('resolveOrderDispute'),
  recordRejectedCommand: stub('recordRejectedCommand'),
};

const refusal = (message: string, type = 'PROVIDER_ERROR') => ApplicationFailure.create({ type, message, nonRetryable: true });
/** An activity that waits (heartbeating, as escrow steps must within 5 s) until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const hold = async () => {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), 500);
    try {
      await opened;
    } finally {
      clearInterval(beat);
    }
  };
  return { open, hold };
}

const stubbed = useStubbedWorker('order-wf-tq', activities);
const taskQueue = stubbed.taskQueue;
let client: Client;
beforeAll(() => {
  client = stubbed.client;
});

interface TestOrder {
  id: string;
  input: OrderInput;
  handle: WorkflowHandle<typeof orderWorkflow>;
  /** Inputs of every call of one activity, in order. */
  inputs<K extends Used>(name: K): Input<K>[];
  /** Names of the activities called, in order, without the projections. */
  steps(): Used[];
  calls(): Call[];
  behave(b: Behaviour): void;
  snapshot(): Promise<OrderSnapshot>;
  /**
   * How many events the workflow has written: every history event but workflow-task bookkeeping. A refused update
   * writes none; the server may still persist the speculative workflow task that refused it (3 bookkeeping events)
   * when it coincides with other work, which is no write of ours.
   */
  writtenEvents(): Promise<number>;
}

async function startOrder(opts: Partial<OrderInput> = {}, behaviour: Behaviour = {}, queue = taskQueue): Promise<TestOrder> {
  const id = unique('ord');
  const input: OrderInput = {
    orderId: id,
    buyerId: `buyer-${id}`,
    sellerId: `seller-${id}`,
    amountMinor: AMOUNT,
    currency: 'USD',
    reservationTtlMs: 10 * 60_000,
    platformFeeBps: FEE_BPS,
    autoReleaseAfterMs: null,
    disputeId: `dsp-${id}`,
    ...opts,
  };
  behaviours.set(id, { ...behaviour });
  const handle = await client.workflow.start<typeof orderWorkflow>('order', {
    taskQueue: queue,
    workflowId: orderWorkflowId(id),
    args: [input],
  });
  const calls = () => callLog.get(id) ?? [];
  return {
    id,
    input,
    handle,
    calls,
    inputs: <K extends Used>(name: K) =>
      calls()
        .filter((c) => c.name === name)
        .map((c) => c.input as Input<K>),
    steps: () =>
      calls()
        .filter((c) => c.name !== 'projectOrder')
        .map((c) => c.name),
    behave: (b) => behaviours.set(id, { ...behaviours.get(id), ...b }),
    snapshot: () => handle.query(orderSnapshot),
    writtenEvents: async () =>
      ((await handle.fetchHistory()).events ?? []).filter((e) => !WORKFLOW_TASK_EVENTS.has(e.eventType ?? 0)).length,
  };
}

const { EventType } = temporal.api.enums.v1;
const WORKFLOW_TASK_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
]);

/** The failure an update was refused or failed with (as the API receives it). */
async function updateFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected the update to fail, it answered ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

const money = (o: TestOrder) => ({ orderId: o.id, buyerId: o.input.buyerId, amountMinor: AMOUNT, currency: 'USD' });
const escrowOrder = (o: TestOrder, contractId: string | null = `C-${o.id}`) => ({
  orderId: o.id,
  buyerId: o.input.buyerId,
  sellerId: o.input.sellerId,
  amountMinor: AMOUNT,
  platformFeeBps: FEE_BPS,
  contractId,
});

type Stage = 'FUNDS_RESERVED' | 'ESCROW_CREATED' | 'IN_PROGRESS' | 'DELIVERED' | 'DISPUTED';
/** Drives an order to a stage through its updates, checking each answer. */
async function advance(o: TestOrder, to: Stage): Promise<OrderSnapshot> {
  const path: Array<[OrderStatus, () => Promise<OrderSnapshot>]> = [
    ['FUNDS_RESERVED', () => o.handle.executeUpdate(reserveOrder)],
    ['ESCROW_CREATED', () => o.handle.executeUpdate(createEscrow)],
    ['IN_PROGRESS', () => o.handle.executeUpdate(fundEscrow)],
    to === 'DISPUTED'
      ? [
          'DISPUTED',
          () => o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'not as described', evidence: 'photo-1' }] }),
        ]
      : ['DELIVERED', () => o.handle.executeUpdate(deliverOrder, { args: [{ evidence: 'https://example.test/delivery' }] })],
  ];
  let last!: OrderSnapshot;
  for (const [status, step] of path) {
    last = await step();
    expect(last.state.status).toBe(status);
    if (status === to) return last;
  }
  throw new Error(`unknown stage ${to}`);
}

const split: ResolveCommand = {
  decision: 'SPLIT',
  release_amount: '24',
  refund_amount: '16',
  note: 'partly delivered',
  resolved_by: 'key-support',
};

/** An order IN_PROGRESS whose delivery is in flight, held until `g.open()`. */
async function deliveryHeld(evidence: string) {
  const g = gate();
  const o = await startOrder(
    {},
    {
      markOrderDelivered: async (i) => {
        await g.hold();
        return { txHash: `tx-deliver-${i.orderId}` };
      },
    },
  );
  await advance(o, 'IN_PROGRESS');
  const delivery = o.handle.executeUpdate(deliverOrder, { args: [{ evidence }] });
  await eventually(async () => o.inputs('markOrderDelivered').length === 1, 10_000, 'the delivery in flight');
  return { g, o, delivery };
}

describe('happy path', () => {
  test('a new order answers the state query with the initial state at version 1', async () => {
    const o = await startOrder();
    expect(await o.snapshot()).toEqual({ state: initialOrderState, version: 1 });
    expect(o.calls()).toEqual([]);
  });

  test('reserve → createEscrow → fund → deliver → release ends RELEASED/RELEASED with the settlement, projecting every status in order', async () => {
    const o = await startOrder();
    const reserved = await o.handle.executeUpdate(reserveOrder);
    expect(reserved).toEqual({ state: { ...initialOrderState, status: 'FUNDS_RESERVED' }, version: 2 });
    const created = await o.handle.executeUpdate(createEscrow);
    expect(created.version).toBe(4);
    expect(created.state).toEqual({ ...initialOrderState, status: 'ESCROW_CREATED', escrow: 'CREATED', contractId: `C-${o.id}` });
    const funded = await o.handle.executeUpdate(fundEscrow);
    expect(funded.version).toBe(6);
    expect(funded.state).toMatchObject({ status: 'IN_PROGRESS', escrow: 'FUNDED', contractId: `C-${o.id}` });
    const delivered = await o.handle.executeUpdate(deliverOrder, { args: [{ evidence: 'https://example.test/delivery' }] });
    expect(delivered.version).toBe(8);
    expect(delivered.state).toMatchObject({ status: 'DELIVERED', escrow: 'FUNDED', delivered: true });
    const released = await o.handle.executeUpdate(releaseOrder);
    const settlement = settlementOf(o.id, 'release', AMOUNT, '0');
    expect(released).toEqual({
      state: {
        status: 'RELEASED',
        escrow: 'RELEASED',
        contractId: `C-${o.id}`,
        disputeId: null,
        delivered: true,
        settlingTo: null,
        settlingFrom: null,
        settlement,
      },
      version: 10,
    });
    // The workflow ends with the order's final snapshot, and still answers the query.
    expect(await o.handle.result()).toEqual(released);
    expect(await o.snapshot()).toEqual(released);

    expect(o.steps()).toEqual(['reserveOrderFunds', 'createEscrowContract', 'fundOrderEscrow', 'markOrderDelivered', 'releaseOrderEscrow']);
    expect(o.inputs('reserveOrderFunds')).toEqual([money(o)]);
    expect(o.inputs('createEscrowContract')).toEqual([escrowOrder(o, null)]);
    expect(o.inputs('fundOrderEscrow')).toEqual([escrowOrder(o)]);
    expect(o.inputs('markOrderDelivered')).toEqual([{ ...escrowOrder(o), evidence: 'https://example.test/delivery' }]);
    expect(o.inputs('releaseOrderEscrow')).toEqual([escrowOrder(o)]);
    expect(o.inputs('releaseOrderReservation')).toEqual([]); // funding consumed the reservation: nothing to give back

    const projections = o.inputs('projectOrder');
    expect(projections.map((p) => [p.version, p.state.status, p.state.escrow])).toEqual([
      [2, 'FUNDS_RESERVED', null],
      [3, 'ESCROW_CREATING', null],
      [4, 'ESCROW_CREATED', 'CREATED'],
      [5, 'ESCROW_FUNDING', 'CREATED'],
      [6, 'IN_PROGRESS', 'FUNDED'],
      [7, 'DELIVERING', 'FUNDED'],
      [8, 'DELIVERED', 'FUNDED'],
      [9, 'RELEASING', 'FUNDED'],
      [10, 'RELEASED', 'RELEASED'],
    ]);
    // previousEscrow is sent only when the escrow status changes.
    expect(projections.map((p) => ('previousEscrow' in p ? p.previousEscrow : 'unchanged'))).toEqual([
      'unchanged',
      'unchanged',
      null,
      'unchanged',
      'CREATED',
      'unchanged',
      'unchanged',
      'unchanged',
      'FUNDED',
    ]);
    expect(projections.every((p) => p.orderId === o.id && !Number.isNaN(Date.parse(p.at)))).toBe(true);
    expect(projections[7].state.settlingTo).toEqual({ status: 'RELEASED', escrow: 'RELEASED' });
    expect(projections[7].state.settlingFrom).toBe('DELIVERED');
    expect(projections[8].state.settlement).toEqual(settlement);
  });

  test('a refund from IN_PROGRESS ends REFUNDED/REFUNDED with the refund settlement', async () => {
    const o = await startOrder();
    await advance(o, 'IN_PROGRESS');
    const refunded = await o.handle.executeUpdate(refundOrder);
    expect(refunded.version).toBe(8);
    expect(refunded.state).toMatchObject({
      status: 'REFUNDED',
      escrow: 'REFUNDED',
      delivered: false,
      settlingTo: null,
      settlingFrom: null,
      settlement: settlementOf(o.id, 'refund', '0', AMOUNT),
    });
    expect(o.inputs('refundOrderEscrow')).toEqual([escrowOrder(o)]);
    expect(o.inputs('releaseOrderEscrow')).toEqual([]);
    expect(
      o
        .inputs('projectOrder')
        .map((p) => p.state.status)
        .slice(-2),
    ).toEqual(['REFUNDING', 'REFUNDED']);
    expect((await o.handle.result()).state.status).toBe('REFUNDED');
  });
});

describe('reserve and cancel', () => {
  test('a refused reservation leaves the order ORDER_CREATED at version 1 with the refusal’s type, and nothing projected', async () => {
    const o = await startOrder(
      {},
      { reserveOrderFunds: () => Promise.reject(refusal('available 10, requested 40', 'INSUFFICIENT_FUNDS')) },
    );
    const failure = await updateFailure(o.handle.executeUpdate(reserveOrder));
    expect(failure.type).toBe('INSUFFICIENT_FUNDS');
    expect(failure.message).toBe('available 10, requested 40');
    expect(await o.snapshot()).toEqual({ state: initialOrderState, version: 1 });
    expect(o.inputs('projectOrder')).toEqual([]);
    expect(o.inputs('reserveOrderFunds')).toEqual([money(o)]);
    // The buyer tops up: a second reservation succeeds.
    o.behave({ reserveOrderFunds: () => undefined });
    expect((await o.handle.executeUpdate(reserveOrder)).state.status).toBe('FUNDS_RESERVED');
  });

  test('cancelling an ORDER_CREATED order releases nothing', async () => {
    const o = await startOrder();
    const cancelled = await o.handle.executeUpdate(cancelOrder);
    expect(cancelled).toEqual({ state: { ...initialOrderState, status: 'CANCELLED' }, version: 2 });
    expect(o.steps()).toEqual([]);
    expect((await o.handle.result()).state.status).toBe('CANCELLED');
  });

  test('cancelling a FUNDS_RESERVED order releases the reservation once', async () => {
    const o = await startOrder();
    await advance(o, 'FUNDS_RESERVED');
    const cancelled = await o.handle.executeUpdate(cancelOrder);
    expect(cancelled).toEqual({ state: { ...initialOrderState, status: 'CANCELLED' }, version: 3 });
    expect(o.steps()).toEqual(['reserveOrderFunds', 'releaseOrderReservation']);
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o)]);
    expect(await o.handle.result()).toEqual(cancelled);
  });

  test('a refused reservation release keeps the order FUNDS_RESERVED (cancel answers the refusal) and a later cancel succeeds', async () => {
    const o = await startOrder(
      {},
      { releaseOrderReservation: (_i, attempt) => Promise.reject(refusal(`ledger refused (attempt ${attempt})`, 'LEDGER_ERROR')) },
    );
    await advance(o, 'FUNDS_RESERVED');
    const failure = await updateFailure(o.handle.executeUpdate(cancelOrder));
    expect(failure.type).toBe('LEDGER_ERROR');
    expect(failure.message).toBe('ledger refused (attempt 1)');
    expect(await o.snapshot()).toMatchObject({ state: { status: 'FUNDS_RESERVED' }, version: 2 });
    o.behave({ releaseOrderReservation: () => undefined });
    expect((await o.handle.executeUpdate(cancelOrder)).state.status).toBe('CANCELLED');
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o), money(o)]);
  });
});

describe('escrow creation and funding', () => {
  test('createEscrow refused → the update fails with PROVIDER_ERROR, the order is FUNDS_RESERVED with lastError; a retry succeeds and clears it', async () => {
    const o = await startOrder({}, { createEscrowContract: () => Promise.reject(refusal('Trustless Work answered 400: bad signer')) });
    await advance(o, 'FUNDS_RESERVED');
    const failure = await updateFailure(o.handle.executeUpdate(createEscrow));
    expect(failure.type).toBe('PROVIDER_ERROR');
    expect(failure.message).toBe('Trustless Work answered 400: bad signer');
    const after = await o.snapshot();
    expect(after.version).toBe(4); // ESCROW_CREATING (3), back to FUNDS_RESERVED (4)
    expect(after.state).toMatchObject({ status: 'FUNDS_RESERVED', escrow: null, contractId: null });
    expect(after.state.lastError).toMatchObject({
      step: 'create_escrow',
      code: 'PROVIDER_ERROR',
      message: 'Trustless Work answered 400: bad signer',
    });
    expect(Number.isNaN(Date.parse(after.state.lastError!.at))).toBe(false);
    expect(o.inputs('createEscrowContract')).toHaveLength(1); // a refusal is not retried
    expect(o.inputs('releaseOrderReservation')).toEqual([]);
    expect(o.inputs('projectOrder').map((p) => [p.version, p.state.status, p.state.lastError?.code ?? null])).toEqual([
      [2, 'FUNDS_RESERVED', null],
      [3, 'ESCROW_CREATING', null],
      [4, 'FUNDS_RESERVED', 'PROVIDER_ERROR'],
    ]);

    o.behave({ createEscrowContract: (i) => ({ contractId: `C2-${i.orderId}`, txHash: 'tx-2' }) });
    const retried = await o.handle.executeUpdate(createEscrow);
    expect(retried.version).toBe(6);
    expect(retried.state).toMatchObject({ status: 'ESCROW_CREATED', escrow: 'CREATED', contractId: `C2-${o.id}`, lastError: null });
    expect(o.inputs('createEscrowContract')).toHaveLength(2);
    // Funding uses the contract the successful attempt created.
    expect((await o.handle.executeUpdate(fundEscrow)).state.status).toBe('IN_PROGRESS');
    expect(o.inputs('fundOrderEscrow')).toEqual([escrowOrder(o, `C2-${o.id}`)]);
  });

  test('fund refused → ESCROW_CREATED with lastError and the reservation intact; cancel then releases it exactly once', async () => {
    const o = await startOrder({}, { fundOrderEscrow: () => Promise.reject(refusal('buyer wallet has no USDC trustline')) });
    await advance(o, 'ESCROW_CREATED');
    const failure = await updateFailure(o.handle.executeUpdate(fundEscrow));
    expect(failure.type).toBe('PROVIDER_ERROR');
    expect(failure.message).toBe('buyer wallet has no USDC trustline');
    const after = await o.snapshot();
    expect(after.version).toBe(6);
    expect(after.state).toMatchObject({ status: 'ESCROW_CREATED', escrow: 'CREATED', contractId: `C-${o.id}` });
    expect(after.state.lastError).toMatchObject({
      step: 'fund_escrow',
      code: 'PROVIDER_ERROR',
      message: 'buyer wallet has no USDC trustline',
    });
    expect(o.inputs('fundOrderEscrow')).toHaveLength(1);
    expect(o.inputs('releaseOrderReservation')).toEqual([]);

    const cancelled = await o.handle.executeUpdate(cancelOrder);
    expect(cancelled.version).toBe(7);
    expect(cancelled.state).toMatchObject({ status: 'CANCELLED', escrow: 'CREATED', lastError: null });
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o)]);
    expect(o.steps()).toEqual(['reserveOrderFunds', 'createEscrowContract', 'fundOrderEscrow', 'releaseOrderReservation']);
    expect((await o.handle.result()).state.status).toBe('CANCELLED');
  });

  test('a transient fault in fund (two plain errors) is retried inside the activity and the order ends IN_PROGRESS', async () => {
    const o = await startOrder(
      {},
      {
        fundOrderEscrow: (i, attempt) => {
          if (attempt <= 2) throw new Error(`horizon timeout (attempt ${attempt})`);
          return { txHash: `tx-fund-${i.orderId}` };
        },
      },
    );
    await advance(o, 'ESCROW_CREATED');
    const started = Date.now();
    const funded = await o.handle.executeUpdate(fundEscrow);
    // Retry policy: 1 s, then 2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(funded.version).toBe(6);
    expect(funded.state).toMatchObject({ status: 'IN_PROGRESS', escrow: 'FUNDED' });
    expect(funded.state.lastError ?? null).toBeNull();
    expect(
      o
        .calls()
        .filter((c) => c.name === 'fundOrderEscrow')
        .map((c) => c.attempt),
    ).toEqual([1, 2, 3]);
    // The retries happen inside one activity: the order never went back to ESCROW_CREATED.
    expect(o.inputs('projectOrder').map((p) => p.state.status)).toEqual([
      'FUNDS_RESERVED',
      'ESCROW_CREATING',
      'ESCROW_CREATED',
      'ESCROW_FUNDING',
      'IN_PROGRESS',
    ]);
  }, 30_000);

  test('funding that faults past escrowStepTimeoutMs gives up: PROVIDER_TIMEOUT, back to ESCROW_CREATED with last_error, and cancel still releases the reservation', async () => {
    const o = await startOrder(
      { escrowStepTimeoutMs: 3_000 },
      {
        fundOrderEscrow: (_i, attempt) => {
          throw new Error(`horizon answered 503 (attempt ${attempt})`);
        },
      },
    );
    await advance(o, 'ESCROW_CREATED');
    const failure = await updateFailure(o.handle.executeUpdate(fundEscrow));
    expect(failure.type).toBe('PROVIDER_TIMEOUT');
    expect(failure.message).toMatch(/^fundOrderEscrow gave up after its retries: horizon answered 503 \(attempt \d\)$/);
    const after = await o.snapshot();
    expect(after.state).toMatchObject({
      status: 'ESCROW_CREATED',
      escrow: 'CREATED',
      lastError: { step: 'fund_escrow', code: 'PROVIDER_TIMEOUT' },
    });
    expect(o.inputs('fundOrderEscrow').length).toBeGreaterThanOrEqual(2);
    expect(o.inputs('releaseOrderReservation')).toEqual([]);
    expect((await o.handle.describe()).memo?.summary).toMatch(/· last error fund_escrow: PROVIDER_TIMEOUT fundOrderEscrow gave up/);
    const cancelled = await o.handle.executeUpdate(cancelOrder);
    expect(cancelled.state.status).toBe('CANCELLED');
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o)]);
  }, 30_000);

  test('a delivery mark that faults past escrowStepTimeoutMs keeps the order IN_PROGRESS and shows last_error deliver/PROVIDER_TIMEOUT', async () => {
    const o = await startOrder(
      { escrowStepTimeoutMs: 2_000 },
      {
        markOrderDelivered: () => {
          throw new Error('trustless work unreachable');
        },
      },
    );
    await advance(o, 'IN_PROGRESS');
    const failure = await updateFailure(o.handle.executeUpdate(deliverOrder, { args: [{}] }));
    expect(failure.type).toBe('PROVIDER_TIMEOUT');
    const after = await o.snapshot();
    expect(after.version).toBe(8);
    expect(after.state).toMatchObject({
      status: 'IN_PROGRESS',
      escrow: 'FUNDED',
      lastError: { step: 'deliver', code: 'PROVIDER_TIMEOUT' },
    });
    expect(o.inputs('projectOrder').at(-2)).toMatchObject({ version: 7, state: { status: 'DELIVERING' } });
    expect(o.inputs('projectOrder').at(-1)).toMatchObject({ version: 8, state: { status: 'IN_PROGRESS', lastError: { step: 'deliver' } } });
    // The refund is still possible: the escrow is owned by the order.
    expect((await o.handle.executeUpdate(refundOrder)).state.status).toBe('REFUNDED');
  }, 30_000);

  test('a refused delivery mark keeps the order IN_PROGRESS with the refusal; a second deliver succeeds', async () => {
    const o = await startOrder({}, { markOrderDelivered: () => Promise.reject(refusal('escrow not funded on chain')) });
    await advance(o, 'IN_PROGRESS');
    const failure = await updateFailure(o.handle.executeUpdate(deliverOrder, { args: [{}] }));
    expect(failure.type).toBe('PROVIDER_ERROR');
    expect(failure.message).toBe('escrow not funded on chain');
    expect(await o.snapshot()).toMatchObject({
      state: { status: 'IN_PROGRESS', delivered: false, lastError: { step: 'deliver', code: 'PROVIDER_ERROR' } },
      version: 8,
    });
    o.behave({ markOrderDelivered: (i) => ({ txHash: `tx-deliver-${i.orderId}` }) });
    expect((await o.handle.executeUpdate(deliverOrder, { args: [{}] })).state).toMatchObject({ status: 'DELIVERED', delivered: true });
    // Without evidence the step is given an empty string.
    expect(o.inputs('markOrderDelivered')).toEqual([
      { ...escrowOrder(o), evidence: '' },
      { ...escrowOrder(o), evidence: '' },
    ]);
  });
});

describe('release and refund', () => {
  test('release refused from IN_PROGRESS and from DELIVERED goes back where it was; refund refused goes back; a refund after delivery is INVALID_STATE; then the release ends RELEASED', async () => {
    const o = await startOrder(
      {},
      {
        releaseOrderEscrow: () => Promise.reject(refusal('release rejected by the contract')),
        refundOrderEscrow: () => Promise.reject(refusal('refund rejected by the contract')),
      },
    );
    await advance(o, 'IN_PROGRESS');

    const r1 = await updateFailure(o.handle.executeUpdate(releaseOrder));
    expect([r1.type, r1.message]).toEqual(['PROVIDER_ERROR', 'release rejected by the contract']);
    let s = await o.snapshot();
    expect(s.version).toBe(8);
    expect(s.state).toMatchObject({
      status: 'IN_PROGRESS',
      escrow: 'FUNDED',
      settlingTo: null,
      settlingFrom: null,
      lastError: { step: 'release', code: 'PROVIDER_ERROR', message: 'release rejected by the contract' },
    });

    const f1 = await updateFailure(o.handle.executeUpdate(refundOrder));
    expect([f1.type, f1.message]).toEqual(['PROVIDER_ERROR', 'refund rejected by the contract']);
    s = await o.snapshot();
    expect(s.version).toBe(10);
    expect(s.state).toMatchObject({
      status: 'IN_PROGRESS',
      escrow: 'FUNDED',
      settlingTo: null,
      settlingFrom: null,
      lastError: { step: 'refund', code: 'PROVIDER_ERROR' },
    });

    // deliver clears the error
    expect((await o.handle.executeUpdate(deliverOrder, { args: [{ evidence: 'e' }] })).state).toMatchObject({
      status: 'DELIVERED',
      lastError: null,
    });

    const r2 = await updateFailure(o.handle.executeUpdate(releaseOrder));
    expect(r2.type).toBe('PROVIDER_ERROR');
    s = await o.snapshot();
    expect(s.version).toBe(14);
    expect(s.state).toMatchObject({
      status: 'DELIVERED',
      escrow: 'FUNDED',
      delivered: true,
      settlingTo: null,
      settlingFrom: null,
      lastError: { step: 'release', code: 'PROVIDER_ERROR' },
    });

    // After delivery a refund is refused outright: the money goes back only through a dispute.
    const history = await o.writtenEvents();
    const f2 = await updateFailure(o.handle.executeUpdate(refundOrder));
    expect([f2.type, f2.message, f2.details]).toEqual([
      'INVALID_STATE',
      'cannot refund an order in DELIVERED',
      [{ current_status: 'DELIVERED', allowed_from: ['IN_PROGRESS'] }],
    ]);
    expect(await o.writtenEvents()).toBe(history);

    o.behave({ releaseOrderEscrow: (i) => settlementOf(i.orderId, 'release', i.amountMinor, '0') });
    const released = await o.handle.executeUpdate(releaseOrder);
    expect(released.version).toBe(16);
    expect(released.state).toMatchObject({
      status: 'RELEASED',
      escrow: 'RELEASED',
      settlingTo: null,
      settlingFrom: null,
      lastError: null,
      settlement: settlementOf(o.id, 'release', AMOUNT, '0'),
    });

    expect(o.inputs('releaseOrderEscrow')).toEqual([escrowOrder(o), escrowOrder(o), escrowOrder(o)]);
    expect(o.inputs('refundOrderEscrow')).toEqual([escrowOrder(o)]);
    expect(o.inputs('projectOrder').map((p) => p.state.status)).toEqual([
      'FUNDS_RESERVED',
      'ESCROW_CREATING',
      'ESCROW_CREATED',
      'ESCROW_FUNDING',
      'IN_PROGRESS',
      'RELEASING',
      'IN_PROGRESS',
      'REFUNDING',
      'IN_PROGRESS',
      'DELIVERING',
      'DELIVERED',
      'RELEASING',
      'DELIVERED',
      'RELEASING',
      'RELEASED',
    ]);
    expect(o.inputs('projectOrder').map((p) => p.state.settlingFrom ?? null)).toEqual([
      null,
      null,
      null,
      null,
      null,
      'IN_PROGRESS',
      null,
      'IN_PROGRESS',
      null,
      null,
      null,
      'DELIVERED',
      null,
      'DELIVERED',
      null,
    ]);
    expect((await o.handle.result()).state.status).toBe('RELEASED');
  });

  test('a refund sent while a delivery runs is refused at once with DELIVERING and writes nothing; the delivery ends DELIVERED', async () => {
    const { g, o, delivery } = await deliveryHeld('e');
    expect(await o.snapshot()).toMatchObject({ state: { status: 'DELIVERING', delivered: false }, version: 7 });
    const history = await o.writtenEvents();
    const refused = await updateFailure(o.handle.executeUpdate(refundOrder));
    expect([refused.type, refused.message, refused.details]).toEqual([
      'INVALID_STATE',
      'cannot refund an order in DELIVERING',
      [{ current_status: 'DELIVERING', allowed_from: ['IN_PROGRESS'] }],
    ]);
    expect(await o.writtenEvents()).toBe(history);
    g.open();
    expect((await delivery).state.status).toBe('DELIVERED');
    expect(o.inputs('refundOrderEscrow')).toEqual([]);
    expect((await o.snapshot()).state).toMatchObject({ status: 'DELIVERED', escrow: 'FUNDED' });
  });
});

describe('disputes', () => {
  test('an order started without a dispute id (before ids were fixed at creation) takes the one the API sends, and refuses none', async () => {
    const o = await startOrder({ disputeId: undefined });
    await advance(o, 'IN_PROGRESS');
    const missing = await updateFailure(o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'late' }] }));
    expect([missing.type, missing.message]).toEqual(['VALIDATION_ERROR', 'dispute_id is required for this order']);
    const disputed = await o.handle.executeUpdate(disputeOrder, {
      args: [{ dispute_id: `dsp-api-${o.id}`, opened_by: 'BUYER', reason: 'late' }],
    });
    expect(disputed.state).toMatchObject({ status: 'DISPUTED', disputeId: `dsp-api-${o.id}` });
    expect(o.inputs('openOrderDispute').map((i) => i.disputeId)).toEqual([`dsp-api-${o.id}`]);
  });

  test('a dispute opened by the BUYER → DISPUTED with the input’s disputeId; a SPLIT 24/16 of 40 → CLOSED/SPLIT paying 240000000/160000000', async () => {
    const o = await startOrder();
    const disputed = await advance(o, 'DISPUTED');
    expect(disputed.version).toBe(7);
    expect(disputed.state).toMatchObject({ status: 'DISPUTED', escrow: 'DISPUTED', disputeId: `dsp-${o.id}`, delivered: false });
    expect(o.inputs('openOrderDispute')).toEqual([
      { ...escrowOrder(o), disputeId: `dsp-${o.id}`, openedBy: 'BUYER', reason: 'not as described', evidence: 'photo-1' },
    ]);

    const closed = await o.handle.executeUpdate(resolveOrder, { args: [split] });
    expect(closed.version).toBe(9);
    expect(closed.state).toMatchObject({
      status: 'CLOSED',
      escrow: 'SPLIT',
      disputeId: `dsp-${o.id}`,
      settlingTo: null,
      settlingFrom: null,
      settlement: settlementOf(o.id, 'resolve', '240000000', '160000000'),
    });
    expect(closed.state.lastError ?? null).toBeNull();
    expect(o.inputs('resolveOrderDispute')).toEqual([
      {
        ...escrowOrder(o),
        disputeId: `dsp-${o.id}`,
        decision: 'SPLIT',
        releaseMinor: '240000000',
        refundMinor: '160000000',
        note: 'partly delivered',
        resolvedBy: 'key-support',
      },
    ]);
    expect(
      o
        .inputs('projectOrder')
        .map((p) => [p.state.status, p.state.escrow])
        .slice(-3),
    ).toEqual([
      ['DISPUTED', 'DISPUTED'],
      ['RESOLVING', 'DISPUTED'],
      ['CLOSED', 'SPLIT'],
    ]);
    expect(o.inputs('projectOrder')[5].previousEscrow).toBe('FUNDED');
    expect(o.inputs('projectOrder')[7].previousEscrow).toBe('DISPUTED');
    expect(o.inputs('releaseOrderEscrow')).toEqual([]);
    expect(o.inputs('refundOrderEscrow')).toEqual([]);
    expect((await o.handle.result()).state.status).toBe('CLOSED');
  });

  test('a dispute opened by the SELLER after delivery (no evidence) is passed on without an evidence field', async () => {
    const o = await startOrder();
    await advance(o, 'DELIVERED');
    const disputed = await o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'SELLER', reason: 'buyer unresponsive' }] });
    expect(disputed.state).toMatchObject({ status: 'DISPUTED', escrow: 'DISPUTED', delivered: true, disputeId: `dsp-${o.id}` });
    expect(o.inputs('openOrderDispute')).toEqual([
      { ...escrowOrder(o), disputeId: `dsp-${o.id}`, openedBy: 'SELLER', reason: 'buyer unresponsive' },
    ]);
  });

  test('a refused dispute leaves the order where it was', async () => {
    const o = await startOrder({}, { openOrderDispute: () => Promise.reject(refusal('escrow already disputed')) });
    await advance(o, 'IN_PROGRESS');
    const failure = await updateFailure(o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'x' }] }));
    expect([failure.type, failure.message]).toEqual(['PROVIDER_ERROR', 'escrow already disputed']);
    expect(await o.snapshot()).toMatchObject({ state: { status: 'IN_PROGRESS', escrow: 'FUNDED', disputeId: null }, version: 6 });
  });

  test.each([
    ['FULL_RELEASE', 'RELEASED', 'RELEASED', AMOUNT, '0'],
    ['FULL_REFUND', 'REFUNDED', 'REFUNDED', '0', AMOUNT],
  ] as const)('resolve %s → %s/%s paying release %s, refund %s', async (decision, status, escrow, releaseMinor, refundMinor) => {
    const o = await startOrder();
    await advance(o, 'DISPUTED');
    const done = await o.handle.executeUpdate(resolveOrder, { args: [{ decision, note: 'support decided' }] });
    expect(done.state).toMatchObject({ status, escrow, settlement: settlementOf(o.id, 'resolve', releaseMinor, refundMinor) });
    expect(o.inputs('resolveOrderDispute')).toEqual([
      {
        ...escrowOrder(o),
        disputeId: `dsp-${o.id}`,
        decision,
        releaseMinor,
        refundMinor,
        note: 'support decided',
        resolvedBy: 'api',
      },
    ]);
    expect((await o.handle.result()).state.status).toBe(status);
  });

  test('a refused resolution goes back to DISPUTED with lastError; a second resolution succeeds', async () => {
    const o = await startOrder({}, { resolveOrderDispute: () => Promise.reject(refusal('payout rejected by the contract')) });
    await advance(o, 'DISPUTED');
    const failure = await updateFailure(o.handle.executeUpdate(resolveOrder, { args: [split] }));
    expect([failure.type, failure.message]).toEqual(['PROVIDER_ERROR', 'payout rejected by the contract']);
    const back = await o.snapshot();
    expect(back.version).toBe(9);
    expect(back.state).toMatchObject({
      status: 'DISPUTED',
      escrow: 'DISPUTED',
      settlingTo: null,
      settlingFrom: null,
      lastError: { step: 'resolve', code: 'PROVIDER_ERROR', message: 'payout rejected by the contract' },
    });
    o.behave({ resolveOrderDispute: (i) => settlementOf(i.orderId, 'resolve', i.releaseMinor, i.refundMinor) });
    const done = await o.handle.executeUpdate(resolveOrder, { args: [{ decision: 'FULL_REFUND', note: 'second look' }] });
    expect(done.state).toMatchObject({ status: 'REFUNDED', escrow: 'REFUNDED', lastError: null });
    expect(o.inputs('resolveOrderDispute').map((i) => [i.decision, i.releaseMinor, i.refundMinor])).toEqual([
      ['SPLIT', '240000000', '160000000'],
      ['FULL_REFUND', '0', AMOUNT],
    ]);
  });

  test('the resolve validator refuses bad resolutions with VALIDATION_ERROR before anything is written', async () => {
    const o = await startOrder();
    await advance(o, 'DISPUTED');
    const before = await o.writtenEvents();
    const cases: Array<[unknown, string, Record<string, unknown>]> = [
      [
        { decision: 'SPLIT', release_amount: '24', refund_amount: '15', note: 'n' },
        'release_amount and refund_amount must add up to the escrowed amount',
        { field: 'release_amount', escrowed_minor: AMOUNT, release_minor: '240000000', refund_minor: '150000000' },
      ],
      [{ decision: 'SPLIT', note: 'n' }, 'a SPLIT needs release_amount and refund_amount', { field: 'release_amount' }],
      [
        { decision: 'SPLIT', release_amount: '40', note: 'n' },
        'a SPLIT needs release_amount and refund_amount',
        { field: 'refund_amount' },
      ],
      [
        { decision: 'SPLIT', release_amount: '40', refund_amount: '0', note: 'n' },
        'a SPLIT pays both parties: use FULL_RELEASE or FULL_REFUND otherwise',
        { field: 'refund_amount' },
      ],
      [{ decision: 'FULL_RELEASE', refund_amount: '1', note: 'n' }, 'FULL_RELEASE refunds nothing', { field: 'refund_amount' }],
      [{ decision: 'FULL_REFUND', release_amount: '1', note: 'n' }, 'FULL_REFUND releases nothing', { field: 'release_amount' }],
      [{ decision: 'HALF', note: 'n' }, 'decision must be one of FULL_RELEASE, FULL_REFUND, SPLIT', { field: 'decision' }],
      [{ decision: 'FULL_RELEASE', note: '  ' }, 'note is required', { field: 'note' }],
      [
        { decision: 'SPLIT', release_amount: '24.12345678', refund_amount: '16', note: 'n' },
        'release_amount must be a decimal string with at most 7 decimals',
        { field: 'release_amount' },
      ],
    ];
    for (const [cmd, message, details] of cases) {
      const failure = await updateFailure(o.handle.executeUpdate(resolveOrder, { args: [cmd as ResolveCommand] }));
      expect({ type: failure.type, message: failure.message, details: failure.details }).toEqual({
        type: 'VALIDATION_ERROR',
        message,
        details: [details],
      });
    }
    // opened_by is checked by the dispute validator the same way (and a second dispute is refused first by state).
    expect(await o.writtenEvents()).toBe(before);
    const still = await o.snapshot();
    expect(still).toMatchObject({ state: { status: 'DISPUTED', escrow: 'DISPUTED' }, version: 7 });
    expect(still.state.lastError ?? null).toBeNull();
    expect(o.inputs('resolveOrderDispute')).toEqual([]);
    expect(o.inputs('projectOrder')).toHaveLength(6);
  });

  test('the dispute validator refuses an opened_by other than BUYER or SELLER before anything is written', async () => {
    const o = await startOrder();
    await advance(o, 'IN_PROGRESS');
    const before = await o.writtenEvents();
    const failure = await updateFailure(o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'ADMIN' as 'BUYER', reason: 'x' }] }));
    expect([failure.type, failure.message]).toEqual(['VALIDATION_ERROR', 'opened_by must be BUYER or SELLER']);
    expect(await o.writtenEvents()).toBe(before);
    expect(o.inputs('openOrderDispute')).toEqual([]);
  });
});

describe('who asked (audit)', () => {
  const alice = { type: 'api_key' as const, id: 'key_alice', requestId: 'req-1' };
  const bob = { type: 'api_key' as const, id: 'key_bob', requestId: 'req-2' };
  test('the actor an update names reaches every projection its request causes, the in-flight start and the outcome alike', async () => {
    const o = await startOrder();
    await o.handle.executeUpdate(asActor(reserveOrder), { args: [alice] });
    await o.handle.executeUpdate(asActor(createEscrow), { args: [bob] });
    await o.handle.executeUpdate(asActor(fundEscrow), { args: [alice] });
    await o.handle.executeUpdate(asActor(deliverOrder), { args: [{ evidence: 'e' }, bob] });
    expect(o.inputs('projectOrder').map((p) => [p.state.status, p.audit])).toEqual([
      ['FUNDS_RESERVED', { request: 'reserve', by: alice }],
      ['ESCROW_CREATING', { request: 'createEscrow', by: bob }],
      ['ESCROW_CREATED', { request: 'createEscrow', by: bob }],
      ['ESCROW_FUNDING', { request: 'fund', by: alice }],
      ['IN_PROGRESS', { request: 'fund', by: alice }],
      ['DELIVERING', { request: 'deliver', by: bob }],
      ['DELIVERED', { request: 'deliver', by: bob }],
    ]);
  });

  test('a refused step projects its way back under the same request and actor; auto-release after delivery is the system’s', async () => {
    const o = await startOrder(
      { autoReleaseAfterMs: 500 },
      { fundOrderEscrow: () => Promise.reject(refusal('no trustline', 'PROVIDER_ERROR')) },
    );
    await advance(o, 'ESCROW_CREATED');
    await updateFailure(o.handle.executeUpdate(asActor(fundEscrow), { args: [alice] }));
    expect(
      o
        .inputs('projectOrder')
        .slice(-2)
        .map((p) => [p.state.status, p.state.lastError?.code, p.audit]),
    ).toEqual([
      ['ESCROW_FUNDING', undefined, { request: 'fund', by: alice }],
      ['ESCROW_CREATED', 'PROVIDER_ERROR', { request: 'fund', by: alice }],
    ]);
    o.behave({ fundOrderEscrow: () => ({ txHash: 'tx' }) });
    await o.handle.executeUpdate(asActor(fundEscrow), { args: [bob] });
    await o.handle.executeUpdate(asActor(deliverOrder), { args: [{}, bob] });
    expect((await o.handle.result()).state.status).toBe('RELEASED');
    expect(
      o
        .inputs('projectOrder')
        .slice(-2)
        .map((p) => p.audit),
    ).toEqual([
      { request: 'release', by: { type: 'system', id: 'worker' } },
      { request: 'release', by: { type: 'system', id: 'worker' } },
    ]);
  }, 20_000);
});

describe('the resolve signal', () => {
  test('a valid resolve signal resolves the dispute (CLOSED), naming the signal for the activity to look its sender up', async () => {
    const o = await startOrder();
    await advance(o, 'DISPUTED');
    await o.handle.signal(resolveSignal, { decision: 'SPLIT', release_amount: '30.5', refund_amount: '9.5', note: 'operator in the UI' });
    const result = await o.handle.result();
    expect(result.state).toMatchObject({
      status: 'CLOSED',
      escrow: 'SPLIT',
      settlement: settlementOf(o.id, 'resolve', '305000000', '95000000'),
    });
    expect(result.version).toBe(9);
    expect(o.inputs('resolveOrderDispute')).toEqual([
      {
        ...escrowOrder(o),
        disputeId: `dsp-${o.id}`,
        decision: 'SPLIT',
        releaseMinor: '305000000',
        refundMinor: '95000000',
        note: 'operator in the UI',
        resolvedBy: 'signal:1',
      },
    ]);
    expect(o.inputs('recordRejectedCommand')).toEqual([]);
    // The audit log's actor is the signal too (its sender is looked up by the projection), for both transitions it caused.
    expect(
      o
        .inputs('projectOrder')
        .slice(-2)
        .map((p) => p.audit),
    ).toEqual([
      { request: 'resolve', by: { type: 'operator', id: 'signal:1' } },
      { request: 'resolve', by: { type: 'operator', id: 'signal:1' } },
    ]);
  });

  test('an invalid resolve signal (bad amounts, or not DISPUTED) is recorded as rejected; the workflow keeps running and accepts a valid resolve afterwards', async () => {
    const o = await startOrder();
    await advance(o, 'IN_PROGRESS');
    // Not DISPUTED yet.
    await o.handle.signal(resolveSignal, { decision: 'FULL_RELEASE', note: 'too early' });
    const first = await eventually(async () => o.inputs('recordRejectedCommand')[0], 10_000, 'the first rejection');
    expect(first).toMatchObject({
      orderId: o.id,
      seq: 1,
      command: 'resolve',
      reason: 'cannot resolve an order in IN_PROGRESS',
      userIds: [o.input.buyerId, o.input.sellerId],
    });
    expect(Number.isNaN(Date.parse(first.at))).toBe(false);
    expect(await o.snapshot()).toMatchObject({ state: { status: 'IN_PROGRESS' }, version: 6 });

    await o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'late' }] });
    // Amounts that do not add up.
    await o.handle.signal(resolveSignal, { decision: 'SPLIT', release_amount: '30', refund_amount: '30', note: 'typo' });
    const second = await eventually(async () => o.inputs('recordRejectedCommand')[1], 10_000, 'the second rejection');
    expect(second).toMatchObject({
      orderId: o.id,
      seq: 2,
      command: 'resolve',
      reason: 'release_amount and refund_amount must add up to the escrowed amount',
    });
    // Garbage (not an object) is rejected the same way.
    await o.handle.signal(resolveSignal, 'release everything' as unknown as ResolveCommand);
    const third = await eventually(async () => o.inputs('recordRejectedCommand')[2], 10_000, 'the third rejection');
    expect(third).toMatchObject({ seq: 3, reason: 'a resolution is an object {decision, release_amount?, refund_amount?, note}' });

    const describe1 = await o.handle.describe();
    expect(describe1.status.name).toBe('RUNNING');
    expect(await o.snapshot()).toMatchObject({ state: { status: 'DISPUTED', escrow: 'DISPUTED' }, version: 7 });
    expect(o.inputs('resolveOrderDispute')).toEqual([]);

    const closed = await o.handle.executeUpdate(resolveOrder, { args: [split] });
    expect(closed.state).toMatchObject({ status: 'CLOSED', escrow: 'SPLIT' });
    expect(o.inputs('recordRejectedCommand')).toHaveLength(3);
    expect(o.inputs('resolveOrderDispute')).toHaveLength(1);
  });

  test('a resolve signal whose payout is refused leaves the order DISPUTED with lastError and records no rejection', async () => {
    const o = await startOrder({}, { resolveOrderDispute: () => Promise.reject(refusal('payout refused')) });
    await advance(o, 'DISPUTED');
    await o.handle.signal(resolveSignal, { decision: 'FULL_REFUND', note: 'refund it' });
    const back = await eventually(
      async () => {
        const s = await o.snapshot();
        return s.version === 9 && s;
      },
      10_000,
      'the refused payout',
    );
    expect(back.state).toMatchObject({
      status: 'DISPUTED',
      lastError: { step: 'resolve', code: 'PROVIDER_ERROR', message: 'payout refused' },
    });
    expect(o.inputs('recordRejectedCommand')).toEqual([]);
    expect((await o.handle.describe()).status.name).toBe('RUNNING');
  });
});

describe('invalid transitions', () => {
  type Attempt = (o: TestOrder) => Promise<unknown>;
  const attempts: Record<string, Attempt> = {
    reserve: (o) => o.handle.executeUpdate(reserveOrder),
    cancel: (o) => o.handle.executeUpdate(cancelOrder),
    createEscrow: (o) => o.handle.executeUpdate(createEscrow),
    fund: (o) => o.handle.executeUpdate(fundEscrow),
    deliver: (o) => o.handle.executeUpdate(deliverOrder, { args: [{ evidence: 'x' }] }),
    release: (o) => o.handle.executeUpdate(releaseOrder),
    refund: (o) => o.handle.executeUpdate(refundOrder),
    dispute: (o) => o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'again' }] }),
    resolve: (o) => o.handle.executeUpdate(resolveOrder, { args: [split] }),
  };
  const ALLOWED: Record<string, OrderStatus[]> = {
    reserve: ['ORDER_CREATED'],
    cancel: ['ORDER_CREATED', 'FUNDS_RESERVED', 'ESCROW_CREATED'],
    createEscrow: ['FUNDS_RESERVED'],
    fund: ['ESCROW_CREATED'],
    deliver: ['IN_PROGRESS'],
    release: ['IN_PROGRESS', 'DELIVERED'],
    refund: ['IN_PROGRESS'],
    dispute: ['IN_PROGRESS', 'DELIVERED'],
    resolve: ['DISPUTED'],
  };
  const byStage: Array<[OrderStatus, string[]]> = [
    ['ORDER_CREATED', ['createEscrow', 'fund', 'deliver', 'release', 'refund', 'dispute', 'resolve']],
    ['FUNDS_RESERVED', ['reserve', 'fund', 'deliver', 'release', 'refund', 'dispute', 'resolve']],
    ['ESCROW_CREATED', ['reserve', 'createEscrow', 'deliver', 'release', 'refund', 'dispute', 'resolve']],
    ['IN_PROGRESS', ['reserve', 'cancel', 'createEscrow', 'fund', 'resolve']],
    ['DELIVERED', ['reserve', 'cancel', 'createEscrow', 'fund', 'deliver', 'refund', 'resolve']],
    ['DISPUTED', ['reserve', 'cancel', 'createEscrow', 'fund', 'deliver', 'release', 'refund', 'dispute']],
  ];

  test.each(byStage)(
    'from %s every other request fails INVALID_STATE with {current_status, allowed_from} and the history is unchanged',
    async (stage, commands) => {
      const o = await startOrder();
      const at = stage === 'ORDER_CREATED' ? await o.snapshot() : await advance(o, stage as Stage);
      const history = await o.writtenEvents();
      const callsBefore = o.calls().length;
      for (const command of commands) {
        const failure = await updateFailure(attempts[command](o));
        expect({ command, type: failure.type, message: failure.message, details: failure.details }).toEqual({
          command,
          type: 'INVALID_STATE',
          message: `cannot ${command} an order in ${stage}`,
          details: [{ current_status: stage, allowed_from: ALLOWED[command] }],
        });
      }
      expect(await o.writtenEvents()).toBe(history);
      expect(o.calls()).toHaveLength(callsBefore);
      expect(await o.snapshot()).toEqual(at);
    },
  );

  test('a finished order (CANCELLED, RELEASED) has ended its workflow: a later request is refused by the server, not run', async () => {
    const cancelled = await startOrder();
    await advance(cancelled, 'FUNDS_RESERVED');
    await cancelled.handle.executeUpdate(cancelOrder);
    const released = await startOrder();
    await advance(released, 'DELIVERED');
    await released.handle.executeUpdate(releaseOrder);
    for (const [o, status] of [
      [cancelled, 'CANCELLED'],
      [released, 'RELEASED'],
    ] as const) {
      expect((await o.handle.result()).state.status).toBe(status);
      const before = o.calls().length;
      await expect(o.handle.executeUpdate(cancelOrder)).rejects.toBeInstanceOf(WorkflowNotFoundError);
      expect(o.calls()).toHaveLength(before);
    }
  });
});

describe('timers', () => {
  test('a reservation not funded in time is released and the order CANCELLED (from FUNDS_RESERVED and from ESCROW_CREATED)', async () => {
    const [reserved, created] = await Promise.all([startOrder({ reservationTtlMs: 1500 }), startOrder({ reservationTtlMs: 1500 })]);
    await Promise.all([advance(reserved, 'FUNDS_RESERVED'), advance(created, 'ESCROW_CREATED')]);
    expect(reserved.inputs('releaseOrderReservation')).toEqual([]);
    const [r1, r2] = await Promise.all([reserved.handle.result(), created.handle.result()]);
    expect(r1).toEqual({ state: { ...initialOrderState, status: 'CANCELLED' }, version: 3 });
    expect(r2.version).toBe(5);
    expect(r2.state).toMatchObject({ status: 'CANCELLED', escrow: 'CREATED', contractId: `C-${created.id}` });
    expect(reserved.inputs('releaseOrderReservation')).toEqual([money(reserved)]);
    expect(created.inputs('releaseOrderReservation')).toEqual([money(created)]);
    expect(reserved.steps()).toEqual(['reserveOrderFunds', 'releaseOrderReservation']);
    // The expiry is the system's; the reserve sent without an actor is recorded as unattributed, not guessed.
    expect(reserved.inputs('projectOrder').map((p) => p.audit)).toEqual([
      { request: 'reserve', by: { type: 'system', id: 'unattributed' } },
      { request: 'expireReservation', by: { type: 'system', id: 'worker' } },
    ]);
    expect(created.steps()).toEqual(['reserveOrderFunds', 'createEscrowContract', 'releaseOrderReservation']);
    // Expired: the workflow has ended, funding is refused.
    await expect(created.handle.executeUpdate(fundEscrow)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(created.inputs('fundOrderEscrow')).toEqual([]);
  }, 20_000);

  test('a refused release at expiry is tried again at the next expiry', async () => {
    const o = await startOrder(
      { reservationTtlMs: 1000 },
      {
        releaseOrderReservation: (_i, attempt) => {
          throw refusal(`ledger busy ${attempt}`, 'LEDGER_ERROR');
        },
      },
    );
    await advance(o, 'FUNDS_RESERVED');
    await eventually(async () => o.inputs('releaseOrderReservation').length === 1, 10_000, 'the first expiry');
    expect(await o.snapshot()).toMatchObject({ state: { status: 'FUNDS_RESERVED' }, version: 2 });
    o.behave({ releaseOrderReservation: () => undefined });
    const result = await o.handle.result();
    expect(result.state.status).toBe('CANCELLED');
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o), money(o)]);
  }, 20_000);

  test('a refused release at expiry backs off (1 s, 2 s, …) instead of retrying at once, and the order stays FUNDS_RESERVED meanwhile', async () => {
    const o = await startOrder(
      { reservationTtlMs: 1000 },
      { releaseOrderReservation: (_i, attempt) => Promise.reject(refusal(`ledger refused ${attempt}`, 'LEDGER_ERROR')) },
    );
    await advance(o, 'FUNDS_RESERVED');
    await eventually(async () => o.inputs('releaseOrderReservation').length >= 1, 10_000, 'the first expiry');
    await new Promise((r) => setTimeout(r, 2_500));
    // Tries at expiry, +1 s and +3 s: within 2.5 s of the first there are two or three, not hundreds (a 1 ms timer).
    const tries = o.inputs('releaseOrderReservation').length;
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(tries).toBeLessThanOrEqual(3);
    expect(await o.snapshot()).toMatchObject({ state: { status: 'FUNDS_RESERVED' }, version: 2 });
    o.behave({ releaseOrderReservation: () => undefined });
    expect((await o.handle.result()).state.status).toBe('CANCELLED');
  }, 30_000);

  test('an order never reserved ends CANCELLED after createdTtlMs, projected, with nothing released', async () => {
    const o = await startOrder({ createdTtlMs: 1500 });
    const result = await o.handle.result();
    expect(result).toEqual({ state: { ...initialOrderState, status: 'CANCELLED' }, version: 2 });
    expect(o.steps()).toEqual([]);
    expect(o.inputs('projectOrder').map((p) => [p.version, p.state.status])).toEqual([[2, 'CANCELLED']]);
    expect(o.inputs('projectOrder')[0].audit).toEqual({ request: 'expireOrder', by: { type: 'system', id: 'worker' } });
  }, 20_000);

  test('an order reserved before createdTtlMs does not expire by it: it stays FUNDS_RESERVED past that time', async () => {
    const o = await startOrder({ createdTtlMs: 1500 });
    await advance(o, 'FUNDS_RESERVED');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await o.snapshot()).toMatchObject({ state: { status: 'FUNDS_RESERVED' }, version: 2 });
    expect(o.inputs('releaseOrderReservation')).toEqual([]);
  }, 20_000);

  test('auto-release: after delivery the workflow releases the escrow by itself and ends RELEASED', async () => {
    const o = await startOrder({ autoReleaseAfterMs: 1500 });
    await advance(o, 'DELIVERED');
    const deliveredAt = Date.now();
    expect(o.inputs('releaseOrderEscrow')).toEqual([]);
    const result = await o.handle.result();
    expect(Date.now() - deliveredAt).toBeGreaterThanOrEqual(1_000);
    expect(result.state).toMatchObject({ status: 'RELEASED', escrow: 'RELEASED', settlement: settlementOf(o.id, 'release', AMOUNT, '0') });
    expect(result.version).toBe(10);
    expect(o.inputs('releaseOrderEscrow')).toEqual([escrowOrder(o)]);
  }, 20_000);

  test('auto-release: a dispute opened before the timer fires prevents it; a refused auto-release is tried again', async () => {
    const disputed = await startOrder({ autoReleaseAfterMs: 1500 });
    const refused = await startOrder(
      { autoReleaseAfterMs: 1000 },
      { releaseOrderEscrow: () => Promise.reject(refusal('contract paused')) },
    );
    await Promise.all([advance(disputed, 'DELIVERED'), advance(refused, 'DELIVERED')]);
    await disputed.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'wrong colour' }] });

    await eventually(async () => refused.inputs('releaseOrderEscrow').length === 1, 10_000, 'the first auto-release');
    const back = await eventually(
      async () => {
        const s = await refused.snapshot();
        return s.version === 10 && s;
      },
      10_000,
      'the refused auto-release',
    );
    expect(back.state).toMatchObject({
      status: 'DELIVERED',
      escrow: 'FUNDED',
      lastError: { step: 'release', code: 'PROVIDER_ERROR', message: 'contract paused' },
    });
    refused.behave({ releaseOrderEscrow: (i) => settlementOf(i.orderId, 'release', i.amountMinor, '0') });
    expect((await refused.handle.result()).state).toMatchObject({ status: 'RELEASED', escrow: 'RELEASED', lastError: null });
    expect(refused.inputs('releaseOrderEscrow')).toHaveLength(2);

    // Well past the disputed order's timer.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(disputed.inputs('releaseOrderEscrow')).toEqual([]);
    expect(await disputed.snapshot()).toMatchObject({ state: { status: 'DISPUTED', escrow: 'DISPUTED' }, version: 9 });
  }, 20_000);
});

describe('concurrency', () => {
  test('release and refund sent at once from IN_PROGRESS: exactly one wins, the other gets INVALID_STATE', async () => {
    const o = await startOrder();
    await advance(o, 'IN_PROGRESS');
    const outcomes = await Promise.allSettled([o.handle.executeUpdate(releaseOrder), o.handle.executeUpdate(refundOrder)]);
    const won = outcomes.filter((r): r is PromiseFulfilledResult<OrderSnapshot> => r.status === 'fulfilled');
    const lost = outcomes.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const failure = await updateFailure(Promise.reject(lost[0].reason));
    expect(failure.type).toBe('INVALID_STATE');
    const winner = won[0].value.state.status;
    expect(['RELEASED', 'REFUNDED']).toContain(winner);
    expect(failure.message).toEqual(
      winner === 'RELEASED'
        ? expect.stringMatching(/^cannot refund an order in (RELEASING|RELEASED)$/)
        : expect.stringMatching(/^cannot release an order in (REFUNDING|REFUNDED)$/),
    );
    expect(o.inputs('releaseOrderEscrow').length + o.inputs('refundOrderEscrow').length).toBe(1);
    expect((await o.handle.result()).state.status).toBe(winner);
  });

  test('a request arriving while a step is in flight is refused with the in-flight status and nothing is written', async () => {
    const g = gate();
    const o = await startOrder(
      {},
      {
        releaseOrderEscrow: async (i) => {
          await g.hold();
          return settlementOf(i.orderId, 'release', i.amountMinor, '0');
        },
      },
    );
    await advance(o, 'DELIVERED');
    const release = o.handle.executeUpdate(releaseOrder);
    await eventually(async () => o.inputs('releaseOrderEscrow').length === 1, 10_000, 'the release in flight');
    expect(await o.snapshot()).toMatchObject({
      state: { status: 'RELEASING', settlingFrom: 'DELIVERED', settlingTo: { status: 'RELEASED', escrow: 'RELEASED' } },
      version: 9,
    });
    const history = await o.writtenEvents();
    for (const [command, attempt] of [
      ['refund', () => o.handle.executeUpdate(refundOrder)],
      ['dispute', () => o.handle.executeUpdate(disputeOrder, { args: [{ opened_by: 'BUYER', reason: 'late' }] })],
      ['release', () => o.handle.executeUpdate(releaseOrder)],
    ] as const) {
      const failure = await updateFailure(attempt());
      expect([failure.message, failure.details]).toEqual([
        `cannot ${command} an order in RELEASING`,
        [{ current_status: 'RELEASING', allowed_from: command === 'refund' ? ['IN_PROGRESS'] : ['IN_PROGRESS', 'DELIVERED'] }],
      ]);
    }
    expect(await o.writtenEvents()).toBe(history);
    g.open();
    expect((await release).state.status).toBe('RELEASED');
    expect(o.inputs('releaseOrderEscrow')).toHaveLength(1);
  });

  /**
   * Sends each request while a reservation is held in its (local) activity (0.3 s apart, so they arrive in this order),
   * then lets it finish. A step without an in-flight status keeps the order where it was, so requests valid there are
   * accepted and wait their turn.
   */
  async function queuedBehindReservation(requests: Array<(o: TestOrder) => Promise<OrderSnapshot>>) {
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    const o = await startOrder({}, { reserveOrderFunds: () => held.then(() => undefined) });
    const reserve = o.handle.executeUpdate(reserveOrder);
    await eventually(async () => o.inputs('reserveOrderFunds').length === 1, 10_000, 'the reservation in flight');
    const pending: Array<Promise<OrderSnapshot>> = [];
    for (const request of requests) {
      pending.push(request(o));
      await new Promise((r) => setTimeout(r, 300));
    }
    // Accepted (valid from ORDER_CREATED) but waiting their turn: nothing ran yet.
    expect(o.steps()).toEqual(['reserveOrderFunds']);
    open();
    const outcome = (r: PromiseSettledResult<OrderSnapshot>) =>
      r.status === 'fulfilled'
        ? r.value.state.status
        : `${(r.reason as WorkflowUpdateFailedError).cause instanceof ApplicationFailure ? ((r.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type : 'ERROR'}: ${(r.reason as Error).cause ? ((r.reason as Error).cause as Error).message : (r.reason as Error).message}`;
    const [reserved, ...rest] = (await Promise.allSettled([reserve, ...pending])).map(outcome);
    expect(reserved).toBe('FUNDS_RESERVED');
    return { o, outcomes: rest };
  }

  test('a request sent while a step without an in-flight status runs waits its turn and then runs against the new state', async () => {
    const { o, outcomes } = await queuedBehindReservation([(o) => o.handle.executeUpdate(cancelOrder)]);
    expect(outcomes).toEqual(['CANCELLED']);
    // Run against FUNDS_RESERVED (not the ORDER_CREATED it was sent in), the cancel gives the reservation back.
    expect(o.inputs('releaseOrderReservation')).toEqual([money(o)]);
    expect(o.inputs('projectOrder').map((p) => p.state.status)).toEqual(['FUNDS_RESERVED', 'CANCELLED']);
  });

  /** Every request waiting its turn wakes when `busy` clears; each checks again, so they still run one at a time. */
  test('two cancels queued behind a reservation run one at a time (the first applies, the second is refused)', async () => {
    const { o, outcomes } = await queuedBehindReservation([
      (o) => o.handle.executeUpdate(cancelOrder),
      (o) => o.handle.executeUpdate(cancelOrder),
    ]);
    expect({ outcomes, releaseOrderReservation: o.inputs('releaseOrderReservation').length }).toEqual({
      outcomes: ['CANCELLED', 'INVALID_STATE: cannot cancel an order in CANCELLED'],
      releaseOrderReservation: 1,
    });
  });
});
