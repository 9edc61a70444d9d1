import { ApplicationFailure } from '@temporalio/activity';
import type { Actor } from '../src/audit/actor';
import { renderTopup, type TopupView } from '../src/topups/render';
import { applyPayinNotice, cancelTopupPayin, openTopup, type PayinDeps, pollTopupPayin } from '../src/topups/payins';
import type { PayinNotice, TopupRequest } from '../src/topups/request';
import { deliverTopup } from '../src/topups/deliver';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';

export function createTopupActivities(deps: ActivityDeps) {
  const payinDeps = (): PayinDeps => {
    if (!deps.airtm)
      throw ApplicationFailure.create({
        type: 'PROVIDER_ERROR',
        message: 'Airtm is not configured (AIRTM_API_URL, …)',
        nonRetryable: true,
      });
    return { db: deps.database.db, pool: deps.database.pool, airtm: deps.airtm };
  };
  return {
    /** Pays a credited top-up's USDC from the treasury into the user's wallet (once; retried while the float is short). */
    async deliverTopup(input: { topupId: string }): Promise<TopupView> {
      const row = await withHeartbeat(() =>
        deliverTopup({ db: deps.database.db, pool: deps.database.pool, network: deps.stellar }, input.topupId),
      );
      return renderTopup(row);
    },
    /** Records the top-up and creates its Airtm pay-in (business key: the top-up id, the pay-in's code). */
    async openTopup(input: TopupRequest): Promise<TopupView> {
      return renderTopup(await openTopup(payinDeps(), input, new Date()));
    },
    /** Applies a verified webhook's pay-in status (a credit keyed `topup:<id>:credit`). */
    async applyPayinNotice(input: { topupId: string; notice: PayinNotice }): Promise<TopupView> {
      return renderTopup(await applyPayinNotice(deps.database, input.topupId, input.notice));
    },
    /** Asks Airtm for the pay-in and applies its status. */
    async pollTopupPayin(input: { topupId: string }): Promise<TopupView> {
      return renderTopup(await withHeartbeat(() => pollTopupPayin(payinDeps(), input.topupId)));
    },
    /** Cancels the pay-in (by the API's caller, or because it expired) unless the user paid meanwhile. */
    async cancelTopupPayin(input: { topupId: string; by?: Actor; expired: boolean }): Promise<TopupView> {
      return renderTopup(await withHeartbeat(() => cancelTopupPayin(payinDeps(), input.topupId, input)));
    },
  };
}
