import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ERROR_STATUS } from '../src/errors';
import { WithdrawalStatusKey } from '../src/temporal/search-attributes';
import type { Activities } from '../activities';
import type { Actor } from '../src/audit/actor';
import type { WithdrawalView } from '../src/withdrawals/render';
import { airtmStep, CHAIN_STEP, DATABASE_STEP } from './activity-options';
import {
  airtmPayoutEvent,
  airtmPayoutState,
  cancelAirtmPayout,
  commitAirtmPayout,
  openAirtmPayout,
  type AirtmPayoutRequest,
} from './messages/airtm-payout';

/** The hold moves money: retried until it answers; only a business refusal (INSUFFICIENT_FUNDS) ends it, nothing held. */
const ledger = proxyActivities<Activities>(DATABASE_STEP);

/**
 * The completed payout's USDC back from the user's wallet to the treasury: a chain step on the main task queue, retried
 * without end (a wallet that cannot pay keeps the withdrawal's last_error), heartbeating as every chain step.
 */
const chain = proxyActivities<Activities>(CHAIN_STEP);

const FINAL = ['WITHDRAWAL_COMPLETED', 'WITHDRAWAL_FAILED', 'WITHDRAWAL_CANCELED'];
/** A commit of a payout in these statuses is answered as it is (it was committed); a failed or cancelled one is refused. */
const COMMITTED = ['WITHDRAWAL_PENDING', 'WITHDRAWAL_AWAITING_RECIPIENT', 'WITHDRAWAL_COMPLETED'];
/** Checks before the workflow continues as new (a payout may wait 90 days for its recipient), unless the request says. */
const CHECKS_PER_RUN = 500;

/**
 * `withdrawal-<id>` of an Airtm payout: hold and create the payout (the `openPayout` update the API waits on), wait for
 * its commit or cancel when it was created uncommitted (cancelled after `uncommittedTtlMs`), then follow it until Airtm
 * says COMPLETED (hold spent), FAILED or CANCELED (hold back): asking Airtm with a doubling backoff, and at once when
 * the Airtm webhook route signals a payout event. PENDING (the recipient must sign up or verify) is shown and followed.
 * A completed payout's USDC then goes from the user's wallet to the treasury (src/withdrawals/payout-sweep.ts).
 */
export async function airtmPayout(request: AirtmPayoutRequest): Promise<WithdrawalView | null> {
  // On the Airtm task queue beside this workflow's own (asked for here, in the workflow: its queue is this run's).
  /** Calls to Airtm, on their own rate-limited task queue; transient faults are retried, refusals come back as failures. */
  const airtm = proxyActivities<Activities>(airtmStep('2 minutes'));
  /** A commit or cancel the API waits on: retried briefly, then the caller hears of it (the payout is unchanged). */
  const asked = proxyActivities<Activities>({
    ...airtmStep('30 seconds'),
    retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 5 },
  });
  let phase: 'OPENING' | 'REFUSED' | 'OPEN' = 'OPENING';
  let view: WithdrawalView | null = null;
  let opening: Promise<WithdrawalView> | null = null;
  /** A commit, cancel or check under way: they run one at a time. */
  let busy = false;
  let committed = request.commit;
  let woken = false;
  const step = { withdrawalId: request.withdrawalId };
  const status = () => view?.status ?? '';
  const isRefused = () => phase === 'REFUSED';
  let shown = 'WITHDRAWAL_CREATED';
  /** Keeps the WithdrawalStatus search attribute current (operators filter by it in the UI), once per change. */
  const showStatus = (v: WithdrawalView) => {
    if (v.status !== shown) upsertSearchAttributes([{ key: WithdrawalStatusKey, value: (shown = v.status) }]);
  };

  /** Runs one step on the payout at a time; its answer becomes the workflow's view. */
  async function exclusive(run: () => Promise<WithdrawalView>): Promise<WithdrawalView> {
    await condition(() => !busy);
    busy = true;
    try {
      view = await run();
      showStatus(view);
      return view;
    } catch (err) {
      throw asRefusal(err);
    } finally {
      busy = false;
    }
  }

  /**
   * Asks Airtm where the payout is. Transient faults are retried inside the activity; a refusal that escapes (none is
   * expected: the activity records what Airtm says) is in the history as a failed activity, and the payout is asked
   * about again at the next poll: the workflow that owns a hold never ends on it.
   */
  const check = () => exclusive(() => airtm.checkAirtmPayout(step)).catch(() => view);

  setHandler(airtmPayoutState, () => ({ phase, withdrawal: view }));
  setHandler(airtmPayoutEvent, () => void (woken = true));
  setHandler(openAirtmPayout, async () => {
    opening ??= (async () => {
      try {
        view = await ledger.holdAirtmWithdrawal(request);
      } catch (err) {
        phase = 'REFUSED';
        throw asRefusal(err);
      }
      await exclusive(() => airtm.createAirtmPayout({ ...step, commit: request.commit }));
      phase = 'OPEN';
      return view!;
    })();
    return opening;
  });
  setHandler(commitAirtmPayout, async (by?: Actor) => {
    await condition(() => phase !== 'OPENING' && !busy);
    if (committed && COMMITTED.includes(status())) return view!;
    if (status() !== 'WITHDRAWAL_AWAITING_COMMIT') throw invalidState('committed', status());
    const answer = await exclusive(() => asked.commitAirtmPayout({ ...step, by }));
    committed = true;
    return answer;
  });
  setHandler(cancelAirtmPayout, async (by?: Actor) => {
    await condition(() => phase !== 'OPENING' && !busy);
    if (status() === 'WITHDRAWAL_CANCELED') return view!;
    if (status() !== 'WITHDRAWAL_AWAITING_COMMIT' && status() !== 'WITHDRAWAL_AWAITING_RECIPIENT')
      throw invalidState('cancelled', status());
    return exclusive(() => asked.cancelAirtmPayout({ ...step, by }));
  });

  if (request.resumed) {
    view = await exclusive(() => airtm.checkAirtmPayout(step));
    phase = 'OPEN';
  }
  await condition(() => phase !== 'OPENING');
  if (isRefused()) return null;

  const expires = Date.now() + request.uncommittedTtlMs;
  while (status() === 'WITHDRAWAL_AWAITING_COMMIT') {
    const left = expires - Date.now();
    if (left <= 0 || !(await condition(() => woken || (!busy && status() !== 'WITHDRAWAL_AWAITING_COMMIT'), left))) {
      // Never committed in time: cancelled, the hold back. A failed cancel is safe to pass over: the loop below asks
      // Airtm until the payout is final (COMPLETED spends the hold, FAILED/CANCELED returns it), so the hold always has
      // this workflow as its owner, and POST /withdrawals/{id}/cancel still reaches it while it awaits its commit.
      await exclusive(() => airtm.cancelAirtmPayout(step)).catch(() => undefined);
      break;
    }
    if (woken && status() === 'WITHDRAWAL_AWAITING_COMMIT') {
      woken = false;
      await check(); // an event about it: cancelled at Airtm, say
    }
  }

  let delay = request.poll.initialMs;
  let checks = 0;
  while (!FINAL.includes(status())) {
    const signalled = await condition(() => woken || FINAL.includes(status()), delay);
    if (FINAL.includes(status())) break;
    woken = false;
    await check();
    delay = signalled ? request.poll.initialMs : Math.min(delay * 2, request.poll.maxMs);
    if (++checks >= (request.checksPerRun ?? CHECKS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (!FINAL.includes(status())) await continueAsNew<typeof airtmPayout>({ ...request, commit: committed, resumed: true });
    }
  }
  // Airtm paid the user from the enterprise balance: the USDC that backed the balance leaves the wallet for the treasury.
  if (status() === 'WITHDRAWAL_COMPLETED' && patched('airtm-payout-sweeps-to-treasury')) view = await chain.sweepAirtmPayout(step);
  await condition(allHandlersFinished);
  return view;
}

/**
 * What the API is told when a step fails: the business refusal itself (INVALID_STATE, PROVIDER_ERROR, …), or
 * PROVIDER_ERROR when Airtm kept failing through the step's retries (the payout is unchanged; ask again).
 */
function asRefusal(err: unknown): unknown {
  if (!(err instanceof ActivityFailure)) return err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type && cause.type in ERROR_STATUS) return cause;
  return ApplicationFailure.create({
    type: 'PROVIDER_ERROR',
    message: `Airtm did not answer in time (${cause?.message ?? err.message}); the payout is unchanged, retry`,
    details: [{ provider: 'airtm' }],
    nonRetryable: true,
  });
}

function invalidState(what: string, status: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'INVALID_STATE',
    message: `A withdrawal in ${status || 'no status'} cannot be ${what}`,
    details: [{ current_status: status }],
    nonRetryable: true,
  });
}
