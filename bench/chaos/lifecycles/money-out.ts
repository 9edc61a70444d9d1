/**
 * Money in from Stellar and out again: a USDC deposit credited once, a withdrawal paid to an account outside the
 * platform on chain, and a payout to an Airtm account (committed at once). Each withdrawal is followed until its
 * final status; the user's balance and what the destination received must then be exact.
 */
import type { Api } from './client';
import { type Trail, lifecycle, same } from './lifecycle';
import { decimal, drawAmount, drawShare, minor } from './money';
import { activeUser, airtmAccount, airtmBalance, deposit, expectBalance, outsider, usdcOnChain, type User } from './parties';

const FINAL = new Set(['WITHDRAWAL_COMPLETED', 'WITHDRAWAL_FAILED', 'WITHDRAWAL_CANCELED']);

/** A user holding a deposit, a withdrawal of part of it (`where` gives its destination), followed to its end and checked. */
async function withdrawal(
  api: Api,
  trail: Trail,
  random: () => number,
  opts: { dp: number; where: (user: User) => Promise<object> },
): Promise<{ user: User; amount: bigint; deposited: bigint; id: string }> {
  const deposited = minor(drawAmount(random, '2', '50'));
  const amount = drawShare(random, deposited, opts.dp);
  const user = await activeUser(api);
  await deposit(api, user, decimal(deposited));
  trail.amounts = { deposited, withdrawn: amount };
  const created = await api.post('/withdrawals', {
    body: { user_id: user.id, amount: decimal(amount), currency: 'USD', ...(await opts.where(user)) },
  });
  const id: string = created.body.data.id;
  trail.id = id;
  trail.actual = created.body.data.status;
  const end = await api.until(`withdrawal ${id}`, async () => {
    const w = (await api.get(`/withdrawals/${id}`)).body.data;
    trail.actual = w.status;
    return FINAL.has(w.status) && w;
  });
  if (end.status !== 'WITHDRAWAL_COMPLETED') throw new Error(`withdrawal ${id} ${end.status}: ${end.failure_code ?? ''}`);
  await expectBalance(api, 'user', user.id, { available: deposited - amount, held: 0n });
  return { user, amount, deposited, id };
}

export const moneyOutLifecycles = {
  deposit: lifecycle('deposit', 'CREDITED', async (api, trail, ctx) => {
    const amount = drawAmount(ctx.random, '1', '100');
    const user = await activeUser(api);
    trail.id = user.id;
    trail.actual = 'WALLET_ACTIVE';
    await deposit(api, user, amount);
    trail.amounts = { deposited: minor(amount) };
    const lines: Array<{ type: string; amount: string }> = (await api.get(`/users/${user.id}/transactions`)).body.data;
    const shown = lines.map((l) => `${l.type} ${l.amount}`).join(', ');
    if (shown !== `deposit ${decimal(minor(amount))}`)
      throw new Error(`user ${user.id}: transactions ${shown}, expected one deposit of ${amount}`);
    same(`wallet ${user.address} USDC`, await usdcOnChain(api, user.address), minor(amount));
    trail.actual = 'CREDITED';
  }),
  'withdrawal.stellar': lifecycle('withdrawal.stellar', 'WITHDRAWAL_COMPLETED', async (api, trail, ctx) => {
    let to = '';
    const { amount } = await withdrawal(api, trail, ctx.random, {
      dp: 7,
      where: async () => ({ destination: { type: 'stellar', address: (to = await outsider(api)) } }),
    });
    same(`outside account ${to} USDC`, await usdcOnChain(api, to), amount);
  }),
  'withdrawal.airtm': lifecycle('withdrawal.airtm', 'WITHDRAWAL_COMPLETED', async (api, trail, ctx) => {
    let email = '';
    const { amount, user, deposited, id } = await withdrawal(api, trail, ctx.random, {
      dp: 2,
      where: async () => ({ commit: true, destination: { type: 'airtm', email: (email = await airtmAccount(api, '0.00')) } }),
    });
    same(`Airtm account ${email}`, await airtmBalance(api, email), amount);
    // Airtm paid it from the enterprise balance: the wallet returns that USDC to the treasury, and holds what the ledger says.
    await api.until(`withdrawal ${id} swept to the treasury`, async () => {
      const w = (await api.get(`/withdrawals/${id}`)).body.data;
      return Boolean(w.airtm_payout?.treasury_tx_hash);
    });
    same(`wallet ${user.address} USDC`, await usdcOnChain(api, user.address), deposited - amount);
  }),
};
