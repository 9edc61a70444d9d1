import type { Pool } from 'pg';
import type { Actor } from '../audit/actor';
import type { Db } from '../db/client';
import { type AirtmClient, AirtmRefusal } from '../providers/airtm/client';
import { PAYIN_STATUSES, type Payin, type PayinStatus } from '../providers/airtm/types';
import type { PayinNotice, TopupRequest } from './request';
import { nextTopupStatus, type TopupStatus } from './topup-state';
import { createTopup, creditTopup, findTopup, setTopupStatus, type TopupFacts, type TopupRow } from './topups-repository';

export interface PayinDeps {
  db: Db;
  pool: Pool;
  airtm: AirtmClient;
}

/** The reason kept for an Airtm refusal: its reason code and message. */
const refusalReason = (err: AirtmRefusal) => `airtm_refused: ${err.message}`.slice(0, 500);

/**
 * Records the top-up and creates its pay-in (its `code` is the top-up id), then TOPUP_AWAITING_USER_CONFIRMATION with
 * the hosted page's URL. Safe to run again: the row is found by id, and a pay-in created by an attempt whose answer
 * was lost is found by its code before another is asked for. Airtm refusing the pay-in ends the top-up TOPUP_FAILED
 * with the reason; nothing was credited.
 */
export async function openTopup(deps: PayinDeps, r: TopupRequest, now: Date): Promise<TopupRow> {
  const amount = BigInt(r.amountMinor);
  let row = await createTopup(
    deps.db,
    { id: r.topupId, userId: r.userId, amount, currency: r.currency, expiresAt: new Date(now.getTime() + r.expiryMs) },
    r.by,
  );
  if (row.status !== 'TOPUP_CREATED') return row;
  let payin: Payin;
  try {
    // A pay-in created by an attempt whose answer was lost is found by its code (ours: the top-up id).
    payin = await deps.airtm.getPayinByCode(r.topupId);
  } catch (err) {
    if (!(err instanceof AirtmRefusal)) throw err;
    const returnTo = (outcome: string) => `${r.returnUrl}${r.returnUrl.includes('?') ? '&' : '?'}topup_id=${r.topupId}&outcome=${outcome}`;
    try {
      payin = await deps.airtm.createPayin({
        code: r.topupId,
        amount,
        description: `Top-up ${r.topupId}`,
        items: [{ description: 'Balance top-up', amount, quantity: 1 }],
        confirmationUri: returnTo('confirmed'),
        cancelUri: returnTo('cancelled'),
      });
    } catch (refused) {
      if (refused instanceof AirtmRefusal)
        return setTopupStatus(deps.db, r.topupId, 'TOPUP_FAILED', { failureReason: refusalReason(refused) });
      throw refused;
    }
  }
  row = await setTopupStatus(deps.db, r.topupId, 'TOPUP_AWAITING_USER_CONFIRMATION', {
    payinId: payin.id,
    confirmationUrl: deps.airtm.checkoutUrl(payin.id),
  });
  return applyPayinStatus(deps, row, payin.status, factsOf(payin));
}

/** What a webhook said about the pay-in (verified by its signature), applied to the top-up. */
export async function applyPayinNotice(deps: Pick<PayinDeps, 'db' | 'pool'>, topupId: string, n: PayinNotice): Promise<TopupRow> {
  const row = await requireTopup(deps.db, topupId);
  if (!(PAYIN_STATUSES as readonly string[]).includes(n.status)) return row;
  return applyPayinStatus(deps, row, n.status as PayinStatus, { payerEmail: n.payerEmail, failureReason: n.failureReason });
}

/** Asks Airtm for the pay-in (no webhook came in time) and applies what it says; a refusal changes nothing. */
export async function pollTopupPayin(deps: PayinDeps, topupId: string): Promise<TopupRow> {
  const row = await requireTopup(deps.db, topupId);
  if (!row.payinId) return row;
  try {
    const payin = await deps.airtm.getPayin(row.payinId);
    return await applyPayinStatus(deps, row, payin.status, factsOf(payin));
  } catch (err) {
    if (err instanceof AirtmRefusal) return row;
    throw err;
  }
}

/**
 * Cancels the pay-in at Airtm, then the top-up (TOPUP_CANCELED, or TOPUP_EXPIRED when its time ran out). Airtm
 * refusing (the user paid meanwhile) sends us to its pay-in, whose status is applied instead: a confirmed pay-in is
 * credited, never cancelled.
 */
export async function cancelTopupPayin(deps: PayinDeps, topupId: string, opts: { by?: Actor; expired: boolean }): Promise<TopupRow> {
  const row = await requireTopup(deps.db, topupId);
  const ending: TopupStatus = opts.expired ? 'TOPUP_EXPIRED' : 'TOPUP_CANCELED';
  const reason = opts.expired ? 'expired: not paid within the pay-in’s lifetime' : 'cancelled through the API';
  if (nextTopupStatus(row.status, 'CANCELED') === null) return row;
  if (!row.payinId) return setTopupStatus(deps.db, topupId, ending, { failureReason: reason }, opts.by);
  let payin: Payin;
  try {
    payin = await deps.airtm.cancelPayin(row.payinId);
  } catch (err) {
    if (!(err instanceof AirtmRefusal)) throw err;
    payin = await deps.airtm.getPayin(row.payinId);
  }
  if (payin.status === 'CANCELED' || payin.status === 'BRIDGE_CANCELED')
    return setTopupStatus(deps.db, topupId, ending, { failureReason: reason }, opts.by);
  return applyPayinStatus(deps, row, payin.status, factsOf(payin));
}

/** Moves the top-up as the pay-in's status says: CONFIRMED credits (once), others record the status and reason. */
async function applyPayinStatus(
  deps: Pick<PayinDeps, 'db' | 'pool'>,
  row: TopupRow,
  payin: PayinStatus,
  facts: TopupFacts,
): Promise<TopupRow> {
  const next = nextTopupStatus(row.status, payin);
  if (next === null) return row;
  if (next === 'TOPUP_SUCCEEDED') return creditTopup(deps.pool, row.id, facts);
  const reason =
    next === 'TOPUP_FAILED'
      ? (facts.failureReason ?? `airtm_status: ${payin}`)
      : next === 'TOPUP_CANCELED'
        ? 'cancelled at Airtm'
        : undefined;
  return setTopupStatus(deps.db, row.id, next, { ...facts, failureReason: reason });
}

function factsOf(p: Payin): TopupFacts {
  return { payerEmail: p.airtmUserEmail, failureReason: p.failureReason };
}

async function requireTopup(db: Db, id: string): Promise<TopupRow> {
  const row = await findTopup(db, id);
  if (!row) throw new Error(`top-up ${id} does not exist`);
  return row;
}
