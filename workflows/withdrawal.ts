import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WithdrawalStatusKey } from '../src/temporal/search-attributes';
import type { Activities } from '../activities';
import { CHAIN_STEP, DATABASE_STEP } from './activity-options';
import type { WithdrawalView } from '../src/withdrawals/render';
import { commitWithdrawal, type WithdrawalRequest, withdrawalState } from './messages/withdrawal';

const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5 },
});
/**
 * The commit holds money: a transient fault (the database away, a worker lost after the hold committed) is retried
 * until it answers, never turned into a refusal that would leave the hold with no workflow to pay or return it.
 * Only a business refusal (INSUFFICIENT_FUNDS, a non-retryable failure) ends the commit, and then nothing is held.
 */
const committer = proxyActivities<Activities>(DATABASE_STEP);
const chain = proxyActivities<Activities>(CHAIN_STEP);

/**
 * `withdrawal-<id>`: commit (hold the funds, through the `commit` update the API waits on), pay on Stellar, settle.
 * A refused commit ends the workflow with nothing held.
 */
export async function withdrawal(request: WithdrawalRequest): Promise<WithdrawalView | null> {
  let phase: 'COMMITTING' | 'REFUSED' | 'PAYING' | 'DONE' = 'COMMITTING';
  let view: WithdrawalView | null = null;
  let committing: Promise<WithdrawalView> | null = null;

  const isRefused = () => phase === 'REFUSED';
  setHandler(withdrawalState, () => ({ phase, withdrawal: view }));
  setHandler(commitWithdrawal, async () => {
    committing ??= (patched('withdrawal-commit-retries-until-answered') ? committer : ledger).commitWithdrawal(request).then(
      (v) => ((view = v), (phase = 'PAYING'), v),
      (err) => {
        phase = 'REFUSED';
        // The caller wants the business refusal (INSUFFICIENT_FUNDS, …), not the activity wrapper around it.
        throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
      },
    );
    return committing;
  });

  await condition(() => phase !== 'COMMITTING');
  if (isRefused()) return null;
  showStatus(view);
  view = await chain.payOutWithdrawal({ withdrawalId: request.withdrawalId });
  phase = 'DONE';
  showStatus(view);
  return view;
}

/** Keeps the WithdrawalStatus search attribute current, so operators filter withdrawals by status in the UI. */
function showStatus(view: WithdrawalView | null): void {
  // Histories recorded before the attribute was kept replay without these commands.
  if (view && patched('withdrawal-status-attribute')) upsertSearchAttributes([{ key: WithdrawalStatusKey, value: view.status }]);
}
