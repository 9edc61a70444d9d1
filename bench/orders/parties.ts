/**
 * The orders' parties, set up through the API before anything is timed: buyer and seller users whose Stellar wallets
 * are active, and buyers whose USDC deposit from the sandbox faucet is credited as available balance.
 */
import crypto from 'node:crypto';
import { type ApiClient, expectStatus } from './api-client';

export interface Pair {
  buyer: string;
  seller: string;
}

const POLL_MS = 300;

/** `count` buyer/seller pairs, each buyer holding `deposit` USD available. */
export async function setUpPairs(api: ApiClient, faucetUrl: string, count: number, deposit: string, timeoutMs: number): Promise<Pair[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(
    Array.from({ length: count }, async () => {
      const [buyer, seller] = await Promise.all([activeUser(api, deadline), activeUser(api, deadline)]);
      await fund(api, faucetUrl, buyer, deposit, deadline);
      return { buyer: buyer.id, seller: seller.id };
    }),
  );
}

async function activeUser(api: ApiClient, deadline: number): Promise<{ id: string; address: string }> {
  const created = expectStatus(
    'POST /users',
    await api.post('/users', { external_user_id: `bench-${crypto.randomUUID()}`, type: 'BOTH' }),
    201,
  );
  const id: string = created.body.data.id;
  const wallet = await until(deadline, `wallet activation of ${id}`, async () => {
    const res = await api.get(`/users/${id}/wallet/deposit`);
    return res.status === 200 && res.body.data.status === 'ACTIVE' ? res.body.data : null;
  });
  return { id, address: wallet.address };
}

async function fund(
  api: ApiClient,
  faucetUrl: string,
  user: { id: string; address: string },
  amount: string,
  deadline: number,
): Promise<void> {
  const res = await fetch(faucetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address: user.address, amount }),
  });
  if (!res.ok) throw new Error(`the USDC faucet answered ${res.status}: ${await res.text()}`);
  await until(deadline, `deposit credit of ${user.id}`, async () => {
    const balance = await api.get(`/users/${user.id}/balance`);
    const usd = balance.body?.data?.balances?.find((b: { currency: string }) => b.currency === 'USD');
    return usd !== undefined && Number(usd.available) === Number(amount);
  });
}

async function until<T>(deadline: number, what: string, probe: () => Promise<T | null | false | undefined>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`set-up timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
