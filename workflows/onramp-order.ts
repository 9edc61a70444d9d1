import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CHAIN_STEP } from './activity-options';
import { refusal, type OnrampCommand, type OnrampStatus } from '../src/onramp/onramp-state';
import type { OnrampOrderView } from '../src/onramp/render';
import { OnrampStatusKey } from '../src/temporal/search-attributes';
import {
  onrampCancel,
  onrampFulfil,
  onrampPaymentSent,
  onrampState,
  type FulfilAnswer,
  type OnrampMerchantInput,
  type OnrampOrderInput,
} from './messages/onramp';

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});
/** Chain steps: retried through transient faults (each failed attempt noted on the order's last_error) until Stellar answers. */
const chain = proxyActivities<Activities>(CHAIN_STEP);

/** Settled for good: nothing on chain is left to return. */
const SETTLED: ReadonlySet<OnrampStatus> = new Set(['FULFILLED', 'CANCELLED', 'EXPIRED']);

/**
 * `onramp-<id>`: signal the intent (the merchant's USDC locked for the buyer), then wait for the buyer's proof, support's
 * cancel or the expiry (a durable timer); at the expiry the merchant reclaims what was not fulfilled. Commands are
 * updates whose validators refuse what the status does not take (nothing is written for a refused command); handlers
 * run one at a time.
 */
export async function onrampOrder(input: OnrampOrderInput): Promise<OnrampOrderView | null> {
  const { orderId } = input;
  let view: OnrampOrderView | null = null;
  let busy = false;
  const status = (): OnrampStatus => (view?.status ?? 'SESSION_CREATED') as OnrampStatus;
  const show = (v: OnrampOrderView) => {
    view = v;
    upsertSearchAttributes([{ key: OnrampStatusKey, value: v.status }]);
  };
  const refuse = (command: OnrampCommand) => {
    const r = refusal(status(), command);
    if (r) throw ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });
  };
  /**
   * While the signal step runs, the order's row may already say SIGNAL_MINED (the activity wrote it) before this
   * workflow has the step's answer: a command sent on that word is accepted and judged by its handler once the step
   * is done (`refuse` again there), not refused for a status the caller never saw (found by `npm run chaos`).
   * Validators do not run on replay: recorded histories are unchanged.
   */
  let signalling = false;
  const validate = (command: OnrampCommand) => {
    if (!signalling) refuse(command);
  };
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  };
  const fulfilStep = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '5 seconds',
    scheduleToCloseTimeout: input.fulfilTimeoutMs,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });

  upsertSearchAttributes([{ key: OnrampStatusKey, value: 'SESSION_CREATED' }]);
  setHandler(onrampState, () => view);
  setHandler(
    onrampPaymentSent,
    (by) =>
      exclusive(async () => {
        refuse('payment-sent');
        show(await steps.markOnrampPaymentSent({ orderId, by }));
        return view!;
      }),
    { validator: (_by) => validate('payment-sent') },
  );
  setHandler(
    onrampFulfil,
    ({ proof, by }) =>
      exclusive(async (): Promise<FulfilAnswer> => {
        refuse('fulfill');
        const attemptId = `proof_${uuid4().replace(/-/g, '')}`;
        try {
          const result = await fulfilStep.fulfilOnrampOrder({ orderId, attemptId, proof, by });
          show(result.order);
          return result;
        } catch {
          // The claim got no final answer within ONRAMP_FULFILL_TIMEOUT_MS (003: FULFILL_TIMEOUT, not retryable).
          show(await steps.failOnrampFulfilTimeout({ orderId }));
          return { outcome: 'FAILED', order: view!, attempt: null, code: 'FULFILL_TIMEOUT', message: view!.lastError?.message ?? '' };
        }
      }),
    { validator: (_request) => validate('fulfill') },
  );
  setHandler(
    onrampCancel,
    (by) =>
      exclusive(async () => {
        refuse('cancel');
        show(await chain.cancelOnrampOrder({ orderId, by }));
        return view!;
      }),
    { validator: (_by) => validate('cancel') },
  );

  signalling = true;
  await exclusive(async () => show(await chain.signalOnrampIntent({ orderId })));
  signalling = false;

  const untilExpiry = Math.max(0, Date.parse(input.expiresAt) - Date.now()) + 1000;
  const nothingOnChain = () => status() === 'FAILED' && !view?.balanceId;
  await condition(() => SETTLED.has(status()) || nothingOnChain(), untilExpiry);
  await exclusive(async () => {
    if (!SETTLED.has(status()) && !nothingOnChain() && !view?.returnTx) show(await chain.expireOnrampOrder({ orderId }));
  });
  await condition(allHandlersFinished);
  return view;
}

/** `onramp-merchant-<id>`: creates the merchant's account on chain, retried until it exists. */
export async function onrampMerchantActivation(input: OnrampMerchantInput): Promise<void> {
  await chain.activateOnrampMerchant({ merchantId: input.merchantId });
}
