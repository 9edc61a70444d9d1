import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { BuyerIdKey, EscrowStatusKey, OrderStatusKey, SellerIdKey } from '../src/temporal/search-attributes';
import type { Activities } from '../activities';
import {
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
} from './messages/order';
import {
  decide,
  initialOrderState,
  InvalidTransition,
  isTerminal,
  type OrderCommand,
  type OrderState,
  type StepError,
} from '../src/orders/order-state';
import { ResolutionProblem, resolutionAmounts } from '../src/orders/resolution';
import { type Actor, signalActor, SYSTEM, UNATTRIBUTED } from '../src/audit/actor';
import { escrowTaskQueue } from './ids';

const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});
/**
 * Ledger moves, projections and events are short database statements: run as local activities (in the workflow
 * task, no round trip through the server), they cost a fraction of a scheduled activity. Histories recorded before
 * this change hold scheduled activities; `patched` keeps replaying those as they ran.
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});
const quick = () => (patched('order-local-activities') ? local : ledger);
/** Escrow steps talk to Trustless Work and Stellar: retried with backoff until they get a final answer. */
const escrowOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
} as const;
const unboundedEscrow = proxyActivities<Activities>(escrowOptions);
/** Orders started before a refused release at expiry backed off retried it at once; now 1 s, 2 s, … up to 5 min. */
const EXPIRY_RETRY_MS = { first: 1_000, max: 5 * 60_000 };
/** The request a transition belongs to and who asked for it: the audit log records both with the transition. */
interface Asked {
  request: OrderCommand['kind'];
  by: Actor;
}

/**
 * `order-<id>`: reserve → create escrow → fund → deliver → release, refund, or dispute → resolve.
 * Every request is an update whose validator consults the state machine, so a refused transition never reaches the
 * history; requests run one at a time. Steps that take time on chain show an in-flight status (ESCROW_CREATING,
 * ESCROW_FUNDING, DELIVERING, RELEASING, REFUNDING, RESOLVING) and go back where they started if refused, keeping the error.
 */
export async function order(input: OrderInput): Promise<OrderSnapshot> {
  let state: OrderState = initialOrderState;
  let version = 1;
  let busy = false;
  let rejected = 0;
  /** When the reservation lapses: set once, when funds are first reserved (a failed step does not extend it). */
  let reservedUntil: number | null = null;
  /** Refused releases at expiry so far (each waits twice as long as the last before trying again). */
  let expiryRefusals = 0;
  /**
   * Escrow steps are retried through transient faults for `escrowStepTimeoutMs` (schedule-to-close), then fail like a
   * refusal: the order goes back where it was, with the reason on `last_error`, its reservation or escrow still owned.
   */
  const boundedEscrow = input.escrowStepTimeoutMs
    ? proxyActivities<Activities>({ ...escrowOptions, scheduleToCloseTimeout: input.escrowStepTimeoutMs })
    : unboundedEscrow;
  /**
   * Orders started since `escrow-steps-paced` run their escrow steps on the Trustless Work queue, whose dispatch rate
   * keeps every order together under Trustless Work's request limit: a burst waits in the queue instead of failing.
   */
  const pacedEscrow = proxyActivities<Activities>({
    ...escrowOptions,
    taskQueue: escrowTaskQueue(workflowInfo().taskQueue),
    ...(input.escrowStepTimeoutMs ? { scheduleToCloseTimeout: input.escrowStepTimeoutMs } : {}),
  });
  const escrow = () => {
    if (!patched('order-escrow-steps-bounded')) return unboundedEscrow;
    return patched('escrow-steps-paced') ? pacedEscrow : boundedEscrow;
  };
  const money = { orderId: input.orderId, buyerId: input.buyerId, amountMinor: input.amountMinor, currency: input.currency };
  const escrowOrder = () => ({
    orderId: input.orderId,
    buyerId: input.buyerId,
    sellerId: input.sellerId,
    amountMinor: input.amountMinor,
    platformFeeBps: input.platformFeeBps ?? 0,
    contractId: state.contractId!,
  });

  const refuse = (t: InvalidTransition) =>
    ApplicationFailure.create({
      type: 'INVALID_STATE',
      message: t.message,
      details: [{ current_status: t.status, allowed_from: t.allowedFrom }],
      nonRetryable: true,
    });
  const validate = (command: OrderCommand) => () => {
    const next = decide(state, command);
    if (next instanceof InvalidTransition) throw refuse(next);
  };
  /** Applies a command after its side effect succeeded, and projects the new state (and who asked, for the audit log). */
  const apply = async (command: OrderCommand, asked: Asked, lastError: StepError | null = null) => {
    const next = decide(state, command);
    if (next instanceof InvalidTransition) throw refuse(next);
    const previousEscrow = state.escrow;
    state = next;
    if (lastError || state.lastError) state = { ...state, lastError };
    version++;
    upsertSearchAttributes([
      { key: OrderStatusKey, value: state.status },
      { key: EscrowStatusKey, value: state.escrow },
    ]);
    showInUi();
    await quick().projectOrder({
      orderId: input.orderId,
      version,
      state,
      at: new Date().toISOString(),
      ...(previousEscrow !== state.escrow ? { previousEscrow } : {}),
      audit: asked,
    });
  };
  /** The Temporal UI's summary of the order: its status, amount and parties, and the last step's failure if any. */
  const showInUi = () =>
    upsertMemo({
      summary:
        `${state.status} · ${input.amountMinor} minor ${input.currency} · buyer ${input.buyerId} · seller ${input.sellerId}` +
        (state.lastError ? ` · last error ${state.lastError.step}: ${state.lastError.code} ${state.lastError.message}` : ''),
    });
  /** Keeps a step's failure on the order (`last_error`) without a transition: a new version, projected. */
  const noteError = async (step: string, cause: ApplicationFailure) => {
    state = { ...state, lastError: { step, code: cause.type!, message: cause.message, at: new Date().toISOString() } };
    version++;
    showInUi();
    await quick().projectOrder({ orderId: input.orderId, version, state, at: new Date().toISOString() });
  };
  /**
   * The caller wants the business refusal (INSUFFICIENT_FUNDS, PROVIDER_ERROR, …), not the activity wrapper around it.
   * A step that ran out of retries (its schedule-to-close time, or its attempts) is PROVIDER_TIMEOUT with the last
   * fault's message: the step may be asked again, and its exactly-once submission resumes where it stopped.
   */
  const unwrap = (err: unknown) => {
    if (!(err instanceof ActivityFailure)) return err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.nonRetryable) return cause;
    const last = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(err);
    return ApplicationFailure.create({
      type: 'PROVIDER_TIMEOUT',
      message: `${err.activityType ?? 'the step'} gave up after its retries: ${last}`,
      nonRetryable: true,
    });
  };
  /** Requests run one at a time: every waiting request wakes in the same pass when `busy` clears, so each checks again. */
  const inTurn = async <T>(run: () => Promise<T>): Promise<T> => {
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await run();
    } finally {
      busy = false;
    }
  };
  /** A request with one side effect: checked again once it is its turn, then `effect`, then the transition. */
  const exclusive = (command: OrderCommand, effect: () => Promise<void>, by: Actor = SYSTEM): Promise<OrderSnapshot> =>
    inTurn(async () => {
      validate(command)();
      await effect().catch(async (err) => {
        const cause = unwrap(err);
        // A step that gave up shows why on the order, though the order stays where it was.
        if (cause instanceof ApplicationFailure && cause.type === 'PROVIDER_TIMEOUT') await noteError(command.kind, cause);
        throw cause;
      });
      await apply(command, { request: command.kind, by });
      return { state, version };
    });
  /**
   * A step that takes time: the order shows `begin`'s in-flight status while `work` runs; then `done(result)`, or on
   * a refusal `failed`, with the error kept on the order (a transient fault is retried inside the activity).
   */
  const inFlight = <T>(
    begin: OrderCommand,
    work: () => Promise<T>,
    done: (r: T) => OrderCommand,
    failed: OrderCommand,
    stepName: string,
    by: Actor = SYSTEM,
  ): Promise<OrderSnapshot> =>
    inTurn(async () => {
      validate(begin)();
      const asked = { request: begin.kind, by };
      await apply(begin, asked);
      let result: T;
      try {
        result = await work();
      } catch (err) {
        const cause = unwrap(err);
        const code = cause instanceof ApplicationFailure ? (cause.type ?? 'PROVIDER_ERROR') : 'PROVIDER_ERROR';
        await apply(failed, asked, { step: stepName, code, message: (cause as Error).message, at: new Date().toISOString() });
        throw cause;
      }
      await apply(done(result), asked);
      return { state, version };
    });
  const checkResolution = (cmd: ResolveCommand) => {
    validate({ kind: 'resolve', decision: cmd?.decision ?? 'SPLIT' })();
    const amounts = resolutionAmounts(cmd, BigInt(input.amountMinor));
    if (amounts instanceof ResolutionProblem)
      throw ApplicationFailure.create({
        type: 'VALIDATION_ERROR',
        message: amounts.message,
        details: [amounts.details],
        nonRetryable: true,
      });
    return amounts;
  };
  /** `resolvedBy`: the API key's id for a REST resolution, `signal:<n>` for the n-th resolve signal (see the activity). */
  const resolve = (cmd: ResolveCommand, resolvedBy: string, by: Actor) => {
    const amounts = checkResolution(cmd);
    return inFlight(
      { kind: 'resolve', decision: cmd.decision },
      () =>
        escrow().resolveOrderDispute({
          ...escrowOrder(),
          disputeId: state.disputeId!,
          decision: cmd.decision,
          releaseMinor: amounts.releaseMinor.toString(),
          refundMinor: amounts.refundMinor.toString(),
          note: cmd.note,
          resolvedBy,
        }),
      (settlement) => ({ kind: 'settled', settlement }),
      { kind: 'settlementFailed' },
      'resolve',
      by,
    );
  };
  const release = (by: Actor = SYSTEM) =>
    inFlight(
      { kind: 'release' },
      () => escrow().releaseOrderEscrow(escrowOrder()),
      (settlement) => ({ kind: 'settled', settlement }),
      { kind: 'settlementFailed' },
      'release',
      by,
    );

  upsertSearchAttributes([
    { key: OrderStatusKey, value: state.status },
    { key: BuyerIdKey, value: input.buyerId },
    { key: SellerIdKey, value: input.sellerId },
  ]);
  setHandler(orderSnapshot, () => ({ state, version }));
  setHandler(reserveOrder, (by?: Actor) => exclusive({ kind: 'reserve' }, () => quick().reserveOrderFunds(money), by ?? UNATTRIBUTED), {
    validator: validate({ kind: 'reserve' }),
  });
  setHandler(
    cancelOrder,
    (by?: Actor) =>
      exclusive(
        { kind: 'cancel' },
        async () => {
          if (state.status !== 'ORDER_CREATED') await quick().releaseOrderReservation(money);
        },
        by ?? UNATTRIBUTED,
      ),
    { validator: validate({ kind: 'cancel' }) },
  );
  setHandler(
    createEscrow,
    (by?: Actor) =>
      inFlight(
        { kind: 'createEscrow' },
        () => escrow().createEscrowContract(escrowOrder()),
        (r) => ({ kind: 'escrowCreated', contractId: r.contractId }),
        { kind: 'escrowCreationFailed' },
        'create_escrow',
        by ?? UNATTRIBUTED,
      ),
    { validator: validate({ kind: 'createEscrow' }) },
  );
  setHandler(
    fundEscrow,
    (by?: Actor) =>
      inFlight(
        { kind: 'fund' },
        () => escrow().fundOrderEscrow(escrowOrder()),
        () => ({ kind: 'funded' }),
        { kind: 'fundingFailed' },
        'fund_escrow',
        by ?? UNATTRIBUTED,
      ),
    {
      validator: validate({ kind: 'fund' }),
    },
  );
  setHandler(
    deliverOrder,
    (cmd, by?: Actor) => {
      const markDelivered = async () => void (await escrow().markOrderDelivered({ ...escrowOrder(), evidence: cmd?.evidence ?? '' }));
      // The order shows DELIVERING while the milestone is completed on chain, so the API can answer at once (202). A
      // history recorded before that ran the step first and went straight to DELIVERED: without the marker it replays so.
      if (patched('deliver-in-flight'))
        return inFlight(
          { kind: 'deliver' },
          markDelivered,
          () => ({ kind: 'delivered' }),
          { kind: 'deliveryFailed' },
          'deliver',
          by ?? UNATTRIBUTED,
        );
      return exclusive({ kind: 'deliver', recordedBeforeInFlight: true }, markDelivered, by ?? UNATTRIBUTED);
    },
    {
      validator: (_cmd) => validate({ kind: 'deliver' })(),
    },
  );
  setHandler(releaseOrder, (by?: Actor) => release(by ?? UNATTRIBUTED), { validator: validate({ kind: 'release' }) });
  setHandler(
    refundOrder,
    (by?: Actor) =>
      inFlight(
        // A refund after delivery is refused (the validator and, once it is its turn, this check). A history recorded
        // before that rule may hold one that ran: without the marker it replays as it ran.
        patched('refund-before-delivery-only') ? { kind: 'refund' } : { kind: 'refund', recordedBeforeDeliveryRule: true },
        () => escrow().refundOrderEscrow(escrowOrder()),
        (settlement) => ({ kind: 'settled', settlement }),
        { kind: 'settlementFailed' },
        'refund',
        by ?? UNATTRIBUTED,
      ),
    {
      validator: validate({ kind: 'refund' }),
    },
  );
  setHandler(
    disputeOrder,
    (cmd, by?: Actor) => {
      // Orders started before dispute ids were fixed at creation get the one the API derived the same way.
      const disputeId = input.disputeId ?? cmd.dispute_id!;
      return exclusive(
        { kind: 'dispute', disputeId },
        () =>
          escrow().openOrderDispute({
            ...escrowOrder(),
            disputeId,
            openedBy: cmd.opened_by,
            reason: cmd.reason,
            ...(cmd.evidence === undefined ? {} : { evidence: cmd.evidence }),
          }),
        by ?? UNATTRIBUTED,
      );
    },
    {
      validator: (cmd) => {
        validate({ kind: 'dispute', disputeId: input.disputeId ?? '' })();
        if (cmd?.opened_by !== 'BUYER' && cmd?.opened_by !== 'SELLER')
          throw ApplicationFailure.create({ type: 'VALIDATION_ERROR', message: 'opened_by must be BUYER or SELLER', nonRetryable: true });
        if (!input.disputeId && !cmd.dispute_id)
          throw ApplicationFailure.create({
            type: 'VALIDATION_ERROR',
            message: 'dispute_id is required for this order',
            nonRetryable: true,
          });
      },
    },
  );
  setHandler(resolveOrder, (cmd, by?: Actor) => resolve(cmd, cmd.resolved_by ?? 'api', by ?? UNATTRIBUTED), {
    validator: (cmd) => void checkResolution(cmd),
  });
  let resolveSignals = 0;
  setHandler(resolveSignal, async (cmd) => {
    // Who sent it is Temporal's record of the sender, looked up by the activity; a `resolved_by` in the arguments is ignored.
    const ordinal = ++resolveSignals;
    // A signal cannot be refused before it is recorded: an invalid one is kept as a rejected event, never thrown.
    try {
      checkResolution(cmd);
    } catch (err) {
      const seq = ++rejected;
      log.warn('resolve signal rejected', { orderId: input.orderId, reason: (err as Error).message });
      await quick().recordRejectedCommand({
        orderId: input.orderId,
        seq,
        command: 'resolve',
        reason: (err as Error).message,
        userIds: [input.buyerId, input.sellerId],
        at: new Date().toISOString(),
      });
      return;
    }
    await resolve(cmd, `signal:${ordinal}`, signalActor(ordinal)).catch((err) =>
      log.warn('resolve signal failed', { orderId: input.orderId, reason: (err as Error).message }),
    );
  });

  while (!isTerminal(state)) {
    if (state.status === 'FUNDS_RESERVED' || state.status === 'ESCROW_CREATED') {
      reservedUntil ??= Date.now() + input.reservationTtlMs;
      const moved = await condition(
        () => state.status !== 'FUNDS_RESERVED' && state.status !== 'ESCROW_CREATED',
        Math.max(1, reservedUntil - Date.now()),
      );
      if (moved) continue;
      const expired = await exclusive({ kind: 'expireReservation' }, () => quick().releaseOrderReservation(money)).then(
        () => true,
        (err: unknown) => (
          log.warn('release at reservation expiry refused', { orderId: input.orderId, reason: (err as Error).message }),
          false
        ),
      );
      if (!expired && !isTerminal(state) && patched('order-expiry-backoff')) {
        // Not a 1 ms timer: the next try waits 1 s, 2 s, 4 s, … (at most 5 min); a cancel or a funding may come first.
        reservedUntil = Date.now() + Math.min(EXPIRY_RETRY_MS.max, EXPIRY_RETRY_MS.first * 2 ** Math.min(expiryRefusals++, 20));
      }
    } else if (state.status === 'ORDER_CREATED' && input.createdTtlMs && patched('order-created-expires')) {
      // Never reserved: the order ends after ORDER_CREATED_TTL_MS instead of waiting forever.
      const until = workflowInfo().startTime.getTime() + input.createdTtlMs;
      const moved = await condition(() => state.status !== 'ORDER_CREATED', Math.max(1, until - Date.now()));
      if (!moved) await exclusive({ kind: 'expireOrder' }, async () => undefined).catch(() => undefined);
    } else if (state.status === 'DELIVERED' && input.autoReleaseAfterMs) {
      // Auto-release: unless something else (a dispute, a release) moves the order first.
      const moved = await condition(() => state.status !== 'DELIVERED', input.autoReleaseAfterMs);
      if (!moved) await release().catch(() => undefined);
    } else {
      const at = state.status;
      await condition(() => state.status !== at);
    }
  }
  await condition(allHandlersFinished); // the request that ended the order still gets its answer
  return { state, version };
}
