import { Context } from '@temporalio/activity';
import { insertDispute, markResolved, markResolving, reopenDispute } from '../src/disputes/disputes-repository';
import { AppError } from '../src/errors';
import * as steps from '../src/escrow/escrow-steps';
import type { EscrowDeps, EscrowOrder, Settlement } from '../src/escrow/escrow-steps';
import { recordEvent } from '../src/events/events-repository';
import { lastError } from '../src/orders/last-error';
import { findOrder, recordStepFailure } from '../src/orders/orders-repository';
import { TrustlessWorkUnavailable } from '../src/providers/trustless-work/client';
import { StellarTransientError } from '../src/stellar/submitter';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { refusalOf } from './refusals';
import { signalSenderOf } from './signal-sender';

export type { Settlement };

export interface DisputeInput {
  disputeId: string;
  openedBy: 'BUYER' | 'SELLER';
  reason: string;
  evidence?: unknown;
}

export interface ResolutionInput {
  disputeId: string;
  decision: 'FULL_RELEASE' | 'FULL_REFUND' | 'SPLIT';
  releaseMinor: string;
  refundMinor: string;
  note: string;
  resolvedBy: string;
}

/**
 * Runs one escrow step for an order. Refusals (Trustless Work's 4xx, a transaction we will not sign, a transaction
 * the network failed, a business rule) leave as non-retryable failures typed with the API error code; anything else
 * is retried with backoff. Every failure is written onto the order's read model (`last_error`), so a step that keeps
 * failing shows in `GET /orders/{id}` as well as in the Temporal UI.
 */
async function step<T>(deps: ActivityDeps, orderId: string, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await withHeartbeat(run);
  } catch (err) {
    const final = err instanceof AppError && (err.status < 500 || err.code === 'PROVIDER_ERROR');
    const attempt = Context.current().info.attempt;
    const failure = lastError({
      step: name,
      code: err instanceof AppError ? err.code : isProviderFault(err) ? 'PROVIDER_UNAVAILABLE' : 'INTERNAL_ERROR',
      attempt,
      retrying: !final,
      at: new Date().toISOString(),
    });
    // Best effort: `last_error` is only what GET /orders shows. The step's own failure is thrown just below either way
    // (retried, or refused and projected by the workflow), so a database hiccup here hides nothing and holds nothing.
    await recordStepFailure(deps.database.db, orderId, failure).catch(() => undefined);
    // The exception's own text goes to the logs only; the order shows the code and a message of ours.
    if (final) {
      deps.logger.warn({ orderId, step: name, attempt, code: failure.code, err: (err as Error).message }, 'escrow step refused');
      throw refusalOf(err);
    }
    deps.logger.warn({ orderId, step: name, attempt, err: (err as Error).message }, 'escrow step failed; retrying');
    throw err;
  }
}

/** Trustless Work or Stellar could not be reached or did not answer in time. */
function isProviderFault(err: unknown): boolean {
  return err instanceof TrustlessWorkUnavailable || err instanceof StellarTransientError;
}

export function createEscrowActivities(deps: ActivityDeps) {
  const escrow: EscrowDeps = {
    pool: deps.database.pool,
    db: deps.database.db,
    network: deps.stellar,
    box: deps.secretBox,
    tw: deps.trustlessWork,
  };
  return {
    /** Deploys the order's escrow contract through Trustless Work (the platform signs). */
    async createEscrowContract(o: EscrowOrder): Promise<{ contractId: string; txHash: string }> {
      return step(deps, o.orderId, 'create_escrow', async () => {
        const row = await findOrder(escrow.db, o.orderId);
        if (!row) throw new AppError('ORDER_NOT_FOUND', 'Order not found', { order_id: o.orderId });
        return steps.deployEscrow(escrow, { ...o, title: row.title, description: row.description ?? row.title });
      });
    },
    /** Funds the contract from the buyer's wallet and moves the buyer's reserved funds to escrow. */
    async fundOrderEscrow(o: EscrowOrder & { contractId: string }): Promise<{ txHash: string }> {
      return step(deps, o.orderId, 'fund_escrow', () => steps.fundEscrow(escrow, o));
    },
    async markOrderDelivered(o: EscrowOrder & { contractId: string; evidence: string }): Promise<{ txHash: string }> {
      return step(deps, o.orderId, 'deliver', () => steps.markDelivered(escrow, o));
    },
    async releaseOrderEscrow(o: EscrowOrder & { contractId: string }): Promise<Settlement> {
      return step(deps, o.orderId, 'release', () => steps.releaseEscrow(escrow, o));
    },
    async refundOrderEscrow(o: EscrowOrder & { contractId: string }): Promise<Settlement> {
      return step(deps, o.orderId, 'refund', () => steps.refundWholeEscrow(escrow, o));
    },
    /** Disputes the contract (signed by the opening party) and records the dispute. */
    async openOrderDispute(o: EscrowOrder & { contractId: string } & DisputeInput): Promise<void> {
      return step(deps, o.orderId, 'dispute', async () => {
        await steps.disputeEscrow(escrow, o);
        await insertDispute(escrow.db, {
          id: o.disputeId,
          orderId: o.orderId,
          openedBy: o.openedBy,
          reason: o.reason,
          evidence: o.evidence,
        });
      });
    },
    /** Pays a dispute's resolution out through the contract; a refused payout reopens the dispute. */
    async resolveOrderDispute(o: EscrowOrder & { contractId: string } & ResolutionInput): Promise<Settlement> {
      return step(deps, o.orderId, 'resolve', async () => {
        const resolvedBy = await signalSenderOf(deps, o.resolvedBy);
        await markResolving(escrow.db, o.disputeId, {
          decision: o.decision,
          releaseAmount: BigInt(o.releaseMinor),
          refundAmount: BigInt(o.refundMinor),
          note: o.note,
          resolvedBy,
        });
        try {
          const settlement = await steps.resolveEscrow(escrow, o);
          await markResolved(escrow.db, o.disputeId);
          return settlement;
        } catch (err) {
          if (err instanceof AppError) await reopenDispute(escrow.db, o.disputeId);
          throw err;
        }
      });
    },
    /** A command the workflow refused (e.g. an invalid `resolve` signal) is kept as an event, never lost silently. */
    async recordRejectedCommand(input: {
      orderId: string;
      seq: number;
      command: string;
      reason: string;
      userIds: string[];
      at: string;
    }): Promise<void> {
      await recordEvent(escrow.db, {
        dedupeKey: `order.command_rejected:${input.orderId}:${input.seq}`,
        type: 'order.command_rejected',
        resourceId: input.orderId,
        userIds: input.userIds,
        data: { order_id: input.orderId, command: input.command, reason: input.reason, at: input.at },
      });
    },
  };
}
