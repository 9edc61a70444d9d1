import type { ApplicationFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Activities } from '../../activities';
import { SYSTEM } from '../../src/audit/actor';
import type { OnrampOrderView } from '../../src/onramp/render';
import { onrampOrderWorkflowId } from '../../workflows/ids';
import { onrampFulfil, onrampPaymentSent, onrampState, type OnrampOrderInput } from '../../workflows/messages/onramp';
import { unique } from '../helpers/app';
import { eventually } from '../helpers/stellar-stack';
import { useStubbedWorker } from '../helpers/stubbed-worker';

/**
 * The on-ramp order workflow on the real Temporal dev server with its activities stubbed: the stuck and timed-out
 * paths that the end-to-end suites cannot provoke on a healthy sandbox. Nothing here touches a database or a chain.
 */
const calls: string[] = [];
let signalFails = false;
/** When set, the signal step waits for it (a step whose row already says SIGNAL_MINED before the workflow knows). */
let signalGate: Promise<void> | null = null;

const view = (status: string, over: Partial<OnrampOrderView> = {}): OnrampOrderView =>
  ({ id: 'onr_1', status, balanceId: '00000000ab', returnTx: null, lastError: null, ...over }) as OnrampOrderView;

type Stubbed = Pick<
  Activities,
  | 'signalOnrampIntent'
  | 'markOnrampPaymentSent'
  | 'fulfilOnrampOrder'
  | 'failOnrampFulfilTimeout'
  | 'expireOnrampOrder'
  | 'cancelOnrampOrder'
>;
const activities: Stubbed = {
  async signalOnrampIntent() {
    calls.push('signal');
    if (signalFails) throw new Error('Horizon did not answer (SIGNAL_NOT_MINED)');
    await signalGate;
    return view('SIGNAL_MINED');
  },
  async markOnrampPaymentSent() {
    calls.push('payment-sent');
    return view('PAYMENT_SENT');
  },
  async fulfilOnrampOrder() {
    calls.push('fulfil');
    throw new Error('the claim has no final answer yet');
  },
  async failOnrampFulfilTimeout() {
    calls.push('fulfil-timeout');
    return view('FAILED', { lastError: { code: 'FULFILL_TIMEOUT', message: 'The fulfilment transaction got no final answer in time' } });
  },
  async expireOnrampOrder() {
    calls.push('expire');
    return view('FAILED', { returnTx: 'ff'.repeat(32) });
  },
  async cancelOnrampOrder() {
    calls.push('cancel');
    return view('CANCELLED');
  },
};

const stubbed = useStubbedWorker('onramp-wf-tq', activities);

function start(input: Partial<OnrampOrderInput> = {}) {
  const orderId = unique('onr');
  return stubbed.client.workflow.start('onrampOrder', {
    workflowId: onrampOrderWorkflowId(orderId),
    taskQueue: stubbed.taskQueue,
    args: [{ orderId, expiresAt: new Date(Date.now() + 60_000).toISOString(), fulfilTimeoutMs: 2500, ...input }],
  });
}

beforeEach(() => {
  calls.length = 0;
  signalFails = false;
  signalGate = null;
});

test('a claim with no final answer within the fulfil timeout answers FULFILL_TIMEOUT, fails the order, and the merchant reclaims at the expiry', async () => {
  const handle = await start({ expiresAt: new Date(Date.now() + 6000).toISOString() });
  await eventually(async () => (await handle.query(onrampState))?.status === 'SIGNAL_MINED', 10_000, 'signal');
  const answer = await handle.executeUpdate(onrampFulfil, { args: [{ proof: {}, by: SYSTEM }] });
  expect(answer).toMatchObject({ outcome: 'FAILED', code: 'FULFILL_TIMEOUT', attempt: null, order: { status: 'FAILED' } });
  const described = await handle.describe();
  expect(described.searchAttributes.OnrampStatus).toEqual(['FAILED']);

  const final = (await handle.result()) as OnrampOrderView;
  expect(final).toMatchObject({ status: 'FAILED', returnTx: 'ff'.repeat(32) });
  expect(calls.filter((c) => c !== 'fulfil')).toEqual(['signal', 'fulfil-timeout', 'expire']);
  expect(calls.filter((c) => c === 'fulfil').length).toBeGreaterThanOrEqual(2);
}, 30_000);

test('a signal that is never mined keeps retrying and shows why: the pending activity carries the last failure', async () => {
  signalFails = true;
  const handle = await start();
  const pending = await eventually(
    async () => {
      const d = await handle.describe();
      const activity = d.raw.pendingActivities?.[0];
      return activity?.lastFailure?.message ? activity : null;
    },
    10_000,
    'a failed signal attempt',
  );
  expect(pending.activityType?.name).toBe('signalOnrampIntent');
  expect(pending.lastFailure?.message).toContain('SIGNAL_NOT_MINED');
  expect((await handle.describe()).searchAttributes.OnrampStatus).toEqual(['SESSION_CREATED']);
  await handle.terminate('test over');
}, 30_000);

test('a command the status does not take is refused by the validator with 003’s code, and nothing runs', async () => {
  const handle = await start();
  await eventually(async () => (await handle.query(onrampState))?.status === 'SIGNAL_MINED', 10_000, 'signal');
  await handle.executeUpdate(onrampPaymentSent, { args: [SYSTEM] });
  const refused = await handle.executeUpdate(onrampPaymentSent, { args: [SYSTEM] }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('INVALID_STATE');
  expect(calls).toEqual(['signal', 'payment-sent']);
  await handle.terminate('test over');
}, 30_000);

test('payment-sent sent while the signal step still runs (the row already says SIGNAL_MINED) is taken once the step is done', async () => {
  let open!: () => void;
  signalGate = new Promise((resolve) => (open = resolve));
  const handle = await start();
  await eventually(async () => calls.includes('signal'), 10_000, 'the signal step running');
  const marked = handle.executeUpdate(onrampPaymentSent, { args: [SYSTEM] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  open();
  expect(await marked).toMatchObject({ status: 'PAYMENT_SENT' });
  expect(calls).toEqual(['signal', 'payment-sent']);
  await handle.terminate('test over');
}, 30_000);
