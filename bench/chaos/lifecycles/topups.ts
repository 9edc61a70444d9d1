/**
 * Airtm top-ups through the REST API and the Airtm sandbox's own controls: a user with a linked Airtm account asks
 * for a top-up, confirms the pay-in on Airtm's hosted page (its form, as a browser posts it), and Airtm settles it
 * CONFIRMED or FAILED; an abandoned one is never confirmed and expires after TOPUP_EXPIRY_MS.
 *
 * The sandbox decides how a confirmation on its page ends for every pay-in at once (`/_sandbox/confirm-outcome`):
 * a FAILED pay-in must first be PROCESSING. So every top-up lifecycle sets it to PROCESSING (the same value, whatever
 * runs at once) and settles its own pay-in with `/_sandbox/payins/{id}/settle`.
 */
import crypto from 'node:crypto';
import type { Api } from './client';
import { Refused, describe } from './client';
import { type Trail, lifecycle, same } from './lifecycle';
import { decimal, drawAmount, minor } from './money';
import { activeUser, airtmAccount, airtmBalance, airtmControl, airtmPayin, expectBalance, usdcOnChain, type User } from './parties';

const FINAL = new Set(['TOPUP_SUCCEEDED', 'TOPUP_FAILED', 'TOPUP_CANCELED', 'TOPUP_EXPIRED']);
const AIRTM_FUNDS = '1000.00';

interface Topup {
  id: string;
  user: User;
  email: string;
  amount: bigint;
  view: any;
}

/** A user linked to an Airtm account holding AIRTM_FUNDS, and a top-up of a random amount awaiting confirmation. */
async function opened(api: Api, trail: Trail, random: () => number): Promise<Topup> {
  const amount = drawAmount(random, '1', '100', 2);
  const user = await activeUser(api);
  const email = await airtmAccount(api, AIRTM_FUNDS);
  await api.post(`/users/${user.id}/airtm/link`, { body: { email } });
  await airtmControl(api, 'POST', '/confirm-outcome', { outcome: 'PROCESSING' });
  const created = await api.post('/topups', { body: { user_id: user.id, amount, currency: 'USD' } });
  const id: string = created.body.data.id;
  trail.id = id;
  trail.amounts = { requested: minor(amount) };
  const view = await api.until(`top-up ${id} confirmation URL`, async () => {
    const t = (await api.get(`/topups/${id}`)).body.data;
    trail.actual = t.status;
    return t.confirmation_url && t;
  });
  return { id, user, email, amount: minor(amount), view };
}

/**
 * What the user does on Airtm's hosted page: presses Confirm (the form's POST, answered 303 back to the return URL).
 * The page is on Airtm's API host (#/paths/~1payins/post/description, "Usage" 2), so it is reached through the same
 * fault proxy as the product's calls: when the page answers Airtm's 5xx or 429, or its answer never comes (the
 * proxy's answer-lost applies the press and drops the 303), the user does what a browser user does and looks again.
 * Whether the press went through is read from the pay-in itself: still CREATED, press again; PROCESSING (the outcome
 * every top-up lifecycle sets), done; anything else is Airtm's refusal.
 */
export async function confirm(api: Api, t: Pick<Topup, 'email' | 'view'>): Promise<void> {
  const payinId: string = t.view.airtm_payin_id;
  await api.until(`confirmation of pay-in ${payinId} on Airtm's page`, async () => {
    let answer: string;
    try {
      const res = await api.sandbox('Airtm hosted page', t.view.confirmation_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: t.email, action: 'confirm' }).toString(),
        redirect: 'manual',
      });
      if (res.status === 303) return true;
      answer = `${res.status}: ${res.text.slice(0, 300)}`;
      if (res.status !== 410 && res.status !== 429 && res.status < 500)
        throw new Refused(`Airtm's page answered ${answer} to the confirmation`);
    } catch (err) {
      if (err instanceof Refused) throw err;
      answer = describe(err);
    }
    const payin = await airtmPayin(api, payinId);
    if (!payin || payin.status === 'CREATED') return false;
    if (payin.status === 'PROCESSING') return true;
    throw new Refused(`pay-in ${payinId} is ${payin.status} after the confirmation (its page answered ${answer})`);
  });
}

async function ending(api: Api, trail: Trail, id: string): Promise<any> {
  return api.until(`top-up ${id} final`, async () => {
    const t = (await api.get(`/topups/${id}`)).body.data;
    trail.actual = t.status;
    return FINAL.has(t.status) && t;
  });
}

/** Nothing credited, and the Airtm account holds what it held before. */
async function nothingMoved(api: Api, trail: Trail, t: Topup): Promise<void> {
  await expectBalance(api, 'user', t.user.id, { available: 0n, held: 0n });
  same(`Airtm account ${t.email}`, await airtmBalance(api, t.email), minor(AIRTM_FUNDS));
  same(`wallet ${t.user.address} USDC`, await usdcOnChain(api, t.user.address), 0n);
  trail.amounts.credited = 0n;
}

export const topupLifecycles = {
  'topup.confirmed': lifecycle('topup.confirmed', 'TOPUP_SUCCEEDED', async (api, trail, ctx) => {
    const t = await opened(api, trail, ctx.random);
    await confirm(api, t);
    await airtmControl(api, 'POST', `/payins/${t.view.airtm_payin_id}/settle`, { outcome: 'CONFIRMED' });
    const end = await ending(api, trail, t.id);
    if (end.status !== 'TOPUP_SUCCEEDED') throw new Error(`top-up ${t.id} ${end.status}: ${end.failure_reason ?? ''}`);
    await expectBalance(api, 'user', t.user.id, { available: t.amount, held: 0n });
    same(`Airtm account ${t.email}`, await airtmBalance(api, t.email), minor(AIRTM_FUNDS) - t.amount);
    // The treasury delivers the credited USDC into the user's wallet on chain.
    await api.until(`treasury delivery of ${decimal(t.amount)} to ${t.user.address}`, async () => {
      const onChain = await usdcOnChain(api, t.user.address);
      if (onChain > t.amount)
        throw new Error(`wallet ${t.user.address} holds ${decimal(onChain)} USDC after a top-up of ${decimal(t.amount)}`);
      return onChain === t.amount;
    });
    trail.amounts.credited = t.amount;
  }),
  'topup.failed': lifecycle('topup.failed', 'TOPUP_FAILED', async (api, trail, ctx) => {
    const t = await opened(api, trail, ctx.random);
    await confirm(api, t);
    const reason = `chaos: declined ${crypto.randomUUID()}`;
    await airtmControl(api, 'POST', `/payins/${t.view.airtm_payin_id}/settle`, { outcome: 'FAILED', failureReason: reason });
    const end = await ending(api, trail, t.id);
    if (end.status === 'TOPUP_FAILED' && end.failure_reason !== reason)
      throw new Error(`top-up ${t.id} failure_reason ${JSON.stringify(end.failure_reason)}, expected Airtm's ${JSON.stringify(reason)}`);
    await nothingMoved(api, trail, t);
  }),
  /** Never confirmed: after TOPUP_EXPIRY_MS the pay-in is cancelled at Airtm and the top-up is TOPUP_EXPIRED. */
  'topup.abandoned': lifecycle('topup.abandoned', 'TOPUP_EXPIRED', async (api, trail, ctx) => {
    const t = await opened(api, trail, ctx.random);
    await ending(api, trail, t.id);
    await nothingMoved(api, trail, t);
  }),
};
