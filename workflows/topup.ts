import { ApplicationFailure, condition, patched, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Actor } from '../src/audit/actor';
import { TopupStatusKey } from '../src/temporal/search-attributes';
import type { TopupView } from '../src/topups/render';
import { CANCELLABLE_TOPUP_STATUSES, isFinalTopup, type TopupStatus } from '../src/topups/topup-state';
import { airtmStep, CHAIN_STEP, DATABASE_STEP } from './activity-options';
import { cancelTopup, openTopup, type PayinNotice, payinEvent, type TopupRequest, topupState } from './messages/topup';

/** Ledger and row changes: retried until the database answers (a credit must never be lost to a fault). */
const records = proxyActivities<Activities>(DATABASE_STEP);

/** The treasury's USDC payment into the user's wallet: retried (a short float waits for a refill), heartbeating. */
const chain = proxyActivities<Activities>(CHAIN_STEP);

/**
 * `topup-<id>`: open (record it and create the Airtm pay-in, through the `open` update the API waits on), then wait for
 * the pay-in's outcome: Airtm's webhook (a signal), or, when none comes within the wait, Airtm's own answer to a GET,
 * asked again with a doubling wait. CONFIRMED credits the user once, then the treasury pays the USDC into the user's wallet; FAILED and CANCELED change no balance. Airtm
 * expires an unpaid pay-in after 15 days: the top-up cancels it then and ends TOPUP_EXPIRED. The user's return to
 * `confirmationUri` is never heard here: it proves nothing.
 */
export async function topup(request: TopupRequest): Promise<TopupView> {
  /**
   * Calls to Airtm, on the Airtm task queue beside this run's (rate-limited to Airtm's requests a second for the whole
   * cluster): its faults (5xx, 429, timeouts) are retried; its refusals are answers the activities handle.
   */
  const airtm = proxyActivities<Activities>(airtmStep('1 minute'));
  let view: TopupView | null = null;
  let opening: Promise<TopupView> | null = null;
  const notices: PayinNotice[] = [];
  const status = () => (view?.status ?? 'TOPUP_CREATED') as TopupStatus;
  const final = () => isFinalTopup(status());
  /** A later answer never undoes a final one (a poll read before a cancel landed, say). */
  const see = (v: TopupView) => {
    if (view && isFinalTopup(view.status as TopupStatus) && view.status !== v.status) return view;
    if (v.status !== view?.status) upsertSearchAttributes([{ key: TopupStatusKey, value: v.status }]);
    return (view = v);
  };
  const open = () => (opening ??= records.openTopup(request).then(see));

  setHandler(topupState, () => view);
  setHandler(payinEvent, (n) => void notices.push(n));
  setHandler(openTopup, open);
  setHandler(cancelTopup, async (by: Actor) => see(await airtm.cancelTopupPayin({ topupId: request.topupId, by, expired: false })), {
    validator: (_by: Actor) => {
      if (!CANCELLABLE_TOPUP_STATUSES.includes(status()))
        throw ApplicationFailure.create({
          type: 'INVALID_STATE',
          message: `A top-up can be cancelled only before the user pays; it is ${status()}`,
          details: [{ current_status: status(), allowed_from: CANCELLABLE_TOPUP_STATUSES }],
          nonRetryable: true,
        });
    },
  });

  await open();
  const expiresAt = Date.parse(view!.expires_at);
  let wait = request.pollInitialMs;
  while (!final()) {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      see(await airtm.cancelTopupPayin({ topupId: request.topupId, expired: true }));
      if (!final() && patched('topup-expired-paid-backoff')) {
        // Not cancellable: the user paid and Airtm is settling it (PROCESSING). Ask again after a doubling wait, as
        // the polls do; at once in a loop, it took the Airtm queue's whole budget, which every top-up and payout shares.
        const heard = await condition(() => notices.length > 0 || final(), wait);
        if (heard && !final()) see(await records.applyPayinNotice({ topupId: request.topupId, notice: notices.shift()! }));
        wait = Math.min(wait * 2, request.pollMaxMs);
      }
      continue;
    }
    const heard = await condition(() => notices.length > 0 || final(), Math.min(wait, left));
    if (final()) break;
    if (heard) {
      see(await records.applyPayinNotice({ topupId: request.topupId, notice: notices.shift()! }));
    } else if (Date.now() < expiresAt) {
      see(await airtm.pollTopupPayin({ topupId: request.topupId }));
      wait = Math.min(wait * 2, request.pollMaxMs);
    }
  }
  // A credited top-up is put on chain: the treasury pays its USDC into the user's wallet (src/topups/deliver.ts).
  if (status() === 'TOPUP_SUCCEEDED') view = await chain.deliverTopup({ topupId: request.topupId });
  return view!;
}
