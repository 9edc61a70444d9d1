import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { BuyerIdKey, EscrowStatusKey, OrderStatusKey, SellerIdKey } from './search-attributes';
import type { Activities } from '../activities';
import { cancelOrder, OrderInput, orderSnapshot, OrderSnapshot, reserveOrder } from './messages/order';
import { decide, initialOrderState, InvalidTransition, isTerminal, OrderCommand, OrderState } from './orders/order-state';

const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

/**
 * `order-<id>`: reserve → create escrow → fund → wait for delivery, release, refund or dispute → settle.
 * (This increment runs reserve, cancel and the reservation's expiry; escrow steps come with the Trustless Work adapter.)
 * Every request is an update whose validator consults the state machine, so a refused transition never reaches the
 * history; requests run one at a time.
 */
export async function order(input: OrderInput): Promise<OrderSnapshot> {
  let state: OrderState = initialOrderState;
  let version = 1;
  let busy = false;
  const money = { orderId: input.orderId, buyerId: input.buyerId, amountMinor: input.amountMinor, currency: input.currency };

  const refuse = (t: InvalidTransition) =>
    ApplicationFailure.create({ type: 'INVALID_STATE', message: t.message, details: [{ current_status: t.status, allowed_from: t.allowedFrom }], nonRetryable: true });
  const validate = (command: OrderCommand) => () => {
    const next = decide(state, command);
    if (next instanceof InvalidTransition) throw refuse(next);
  };
  /** Applies a command after its side effect succeeded, and projects the new state. */
  const apply = async (command: OrderCommand) => {
    const next = decide(state, command);
    if (next instanceof InvalidTransition) throw refuse(next);
    state = next;
    version++;
    upsertSearchAttributes([
      { key: OrderStatusKey, value: state.status },
      { key: EscrowStatusKey, value: state.escrow },
    ]);
    upsertMemo({ summary: `${state.status} · ${input.amountMinor} minor ${input.currency} · buyer ${input.buyerId} · seller ${input.sellerId}` });
    await ledger.projectOrder({ orderId: input.orderId, version, state, at: new Date().toISOString() });
  };
  /** One request at a time; the state is checked again once it is this request's turn. */
  const exclusive = async (command: OrderCommand, effect: () => Promise<void>): Promise<OrderSnapshot> => {
    await condition(() => !busy);
    busy = true;
    try {
      validate(command)();
      await effect().catch((err) => {
        // The caller wants the business refusal (INSUFFICIENT_FUNDS, …), not the activity wrapper around it.
        throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
      });
      await apply(command);
      return { state, version };
    } finally {
      busy = false;
    }
  };

  upsertSearchAttributes([
    { key: OrderStatusKey, value: state.status },
    { key: BuyerIdKey, value: input.buyerId },
    { key: SellerIdKey, value: input.sellerId },
  ]);
  setHandler(orderSnapshot, () => ({ state, version }));
  setHandler(reserveOrder, () => exclusive({ kind: 'reserve' }, () => ledger.reserveOrderFunds(money)), { validator: validate({ kind: 'reserve' }) });
  setHandler(
    cancelOrder,
    () => exclusive({ kind: 'cancel' }, async () => {
      if (state.status !== 'ORDER_CREATED') await ledger.releaseOrderReservation(money);
    }),
    { validator: validate({ kind: 'cancel' }) },
  );

  while (!isTerminal(state)) {
    if (state.status === 'FUNDS_RESERVED' || state.status === 'ESCROW_CREATED') {
      const moved = await condition(() => state.status !== 'FUNDS_RESERVED' && state.status !== 'ESCROW_CREATED', input.reservationTtlMs);
      if (!moved) await exclusive({ kind: 'expireReservation' }, () => ledger.releaseOrderReservation(money)).catch(() => undefined);
    } else {
      const at = state.status;
      await condition(() => state.status !== at);
    }
  }
  await condition(allHandlersFinished); // the request that ended the order still gets its answer
  return { state, version };
}
