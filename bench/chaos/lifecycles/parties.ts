/**
 * The parties a lifecycle needs, set up through the public API and the sandboxes' own controls: users whose wallet
 * is active, USDC deposits from the sandbox faucet, Airtm accounts, and the balances to check at the end.
 */
import crypto from 'node:crypto';
import { outsideAccount } from '../../soak/load';
import { type Api, Refused } from './client';
import { minor, decimal } from './money';

export interface User {
  id: string;
  address: string;
}

export interface Balance {
  available: bigint;
  held: bigint;
}

/** A user created through the API whose wallet is ACTIVE (a FAILED activation is asked again, as a client would). */
export async function activeUser(api: Api): Promise<User> {
  const created = await api.post('/users', { body: { external_user_id: `chaos-${crypto.randomUUID()}`, type: 'BOTH' } });
  const id: string = created.body.data.id;
  const address = await api.until(`wallet of ${id}`, async () => {
    const w = (await api.get(`/users/${id}/wallet/deposit`)).body.data;
    if (w.status === 'FAILED') await api.post(`/users/${id}/wallet/activate`, { accept: (s) => s < 300 || s === 409 });
    return w.status === 'ACTIVE' && (w.address as string);
  });
  return { id, address };
}

export async function balanceOf(api: Api, userId: string): Promise<Balance> {
  const lines: Array<{ currency: string; available: string; held: string }> = (await api.get(`/users/${userId}/balance`)).body.data
    .balances;
  const usd = lines.find((b) => b.currency === 'USD');
  return { available: minor(usd?.available ?? '0'), held: minor(usd?.held ?? '0') };
}

/** Waits (a few seconds at most) until `who`'s balance is `expected`; else fails with both. */
export async function expectBalance(api: Api, who: string, userId: string, expected: Balance): Promise<void> {
  const show = (b: Balance) => `available ${decimal(b.available)} held ${decimal(b.held)}`;
  for (const until = Date.now() + Math.min(15_000, api.left()); ; await api.pause(500)) {
    const seen = await balanceOf(api, userId);
    if (seen.available === expected.available && seen.held === expected.held) return;
    if (Date.now() > until) throw new Error(`${who} ${userId}: balance ${show(seen)}, expected ${show(expected)}`);
  }
}

/** Pays `amount` USDC from the sandbox faucet into the user's wallet and waits until it is credited as available. */
export async function deposit(api: Api, user: User, amount: string): Promise<void> {
  const before = await balanceOf(api, user.id);
  const res = await api.sandbox('USDC faucet', api.endpoints.stellar.usdcFaucetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address: user.address, amount }),
  });
  if (res.status >= 300) throw new Refused(`the USDC faucet answered ${res.status}: ${res.text}`);
  const expected = before.available + minor(amount);
  await api.until(`deposit of ${amount} to ${user.id}`, async () => {
    const now = await balanceOf(api, user.id);
    if (now.available > expected) throw new Error(`${user.id}: available ${decimal(now.available)} after a deposit of ${amount}`);
    return now.available === expected;
  });
}

/** A funded account outside the platform with a USDC trustline (where a withdrawal goes). */
export function outsider(api: Api): Promise<string> {
  return outsideAccount(api.endpoints.stellar);
}

/** The account's USDC on chain, read from Horizon (minor units; 0 without a trustline). */
export async function usdcOnChain(api: Api, address: string): Promise<bigint> {
  const { horizonUrl, usdcIssuer } = api.endpoints.stellar;
  const res = await api.sandbox('Horizon account', `${horizonUrl}/accounts/${address}`);
  if (res.status !== 200) throw new Refused(`Horizon answered ${res.status} for ${address}: ${res.text.slice(0, 300)}`);
  const lines: Array<{ asset_code?: string; asset_issuer?: string; balance: string }> = res.body.balances;
  const line = lines.find((b) => b.asset_code === 'USDC' && b.asset_issuer === usdcIssuer);
  return line ? minor(line.balance) : 0n;
}

/** The Authorization header of the Airtm sandbox's API and controls: `basic` is "key:secret" (or already its base64). */
function airtmAuthorization(api: Api): string {
  const { basic } = api.endpoints.airtm;
  return `Basic ${basic.includes(':') ? Buffer.from(basic).toString('base64') : basic}`;
}

/** A `/_sandbox/*` control of the Airtm sandbox (HTTP Basic); answers its JSON, fails on anything but 2xx. */
export async function airtmControl(api: Api, method: string, path: string, body?: object): Promise<any> {
  const { apiUrl } = api.endpoints.airtm;
  const res = await api.sandbox(`Airtm ${method} ${path}`, `${new URL(apiUrl).origin}/_sandbox${path}`, {
    method,
    headers: { authorization: airtmAuthorization(api), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status >= 300) throw new Refused(`Airtm ${method} /_sandbox${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body;
}

/** An Airtm account of its own (verified, holding `balance` USD there) with a fresh address. */
export async function airtmAccount(api: Api, balance: string): Promise<string> {
  const email = `chaos-${crypto.randomUUID()}@example.com`;
  await airtmControl(api, 'PUT', `/users/${encodeURIComponent(email)}`, { balance, isVerified: true });
  return email;
}

/**
 * The pay-in as Airtm's API shows it (#/paths/~1payins~1{id}/get), asked of the sandbox straight; null while it
 * answers its 429 or a 5xx (the lifecycle asks again).
 */
export async function airtmPayin(api: Api, id: string): Promise<{ status: string } | null> {
  const res = await api.sandbox(`Airtm GET /payins/${id}`, `${api.endpoints.airtm.apiUrl}/payins/${encodeURIComponent(id)}`, {
    headers: { authorization: airtmAuthorization(api) },
  });
  if (res.status === 429 || res.status >= 500) return null;
  if (res.status !== 200) throw new Refused(`Airtm GET /payins/${id} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body;
}

/** The Airtm account's balance (minor units). */
export async function airtmBalance(api: Api, email: string): Promise<bigint> {
  const balances = await airtmControl(api, 'GET', '/balances');
  const b = balances.users[email];
  if (b === undefined) throw new Error(`Airtm does not know ${email}`);
  return minor(String(b));
}
