/**
 * The soak's steady mixed load: `concurrency` actors, each with a buyer and a seller of its own, repeating one of
 * user creation, a deposit from the sandbox faucet, a full order lifecycle (create → reserve → escrow → fund → deliver →
 * release), a withdrawal to an account outside the platform, or a round of reads, with a pause between. Every request's
 * latency goes to `record`; a scenario that does not end as it should is counted by name with its first error kept.
 */
import crypto from 'node:crypto';
import { Asset, Horizon, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { BenchStack } from '../orders/stack';

export interface LoadStats {
  done: Record<string, number>;
  failed: Record<string, number>;
  firstErrors: string[];
}

type Answer = { status: number; body: any; text: string };
const POLL_MS = 250;
const WAIT_MS = 180_000;

export function steadyLoad(stack: BenchStack, opts: { concurrency: number; pauseMs: number; record: (ms: number) => void }) {
  const stats: LoadStats = { done: {}, failed: {}, firstErrors: [] };
  let stopping = false;

  const call = async (method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${stack.apiKey}` };
    if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
    if (body) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const res = await fetch(`${stack.apiUrl}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    opts.record(performance.now() - t0);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
  const expect = (what: string, res: Answer, status: number): Answer => {
    if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res;
  };
  const until = async <T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> => {
    for (const deadline = Date.now() + WAIT_MS; ; await new Promise((r) => setTimeout(r, POLL_MS))) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS / 1000} s`);
    }
  };

  const activeUser = async (type: string): Promise<{ id: string; address: string }> => {
    const created = expect('POST /users', await call('POST', '/users', { external_user_id: `soak-${crypto.randomUUID()}`, type }), 201);
    const id: string = created.body.data.id;
    const wallet = await until(`wallet of ${id}`, async () => {
      const res = await call('GET', `/users/${id}/wallet/deposit`);
      return res.status === 200 && res.body.data.status === 'ACTIVE' ? res.body.data : null;
    });
    return { id, address: wallet.address };
  };
  const usd = async (userId: string): Promise<number> => {
    const res = expect('GET balance', await call('GET', `/users/${userId}/balance`), 200);
    return Number(res.body.data.balances.find((b: { currency: string }) => b.currency === 'USD')?.available ?? 0);
  };
  const deposit = async (user: { id: string; address: string }, amount: number) => {
    const before = await usd(user.id);
    const res = await fetch(stack.usdcFaucetUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: user.address, amount: String(amount) }),
    });
    if (!res.ok) throw new Error(`faucet answered ${res.status}`);
    await until(`deposit credit of ${user.id}`, async () => (await usd(user.id)) >= before + amount);
  };
  const orderStatus = (id: string, status: string) =>
    until(`order ${id} ${status}`, async () => {
      const o = (await call('GET', `/orders/${id}`)).body?.data;
      if (o?.last_error && !o.last_error.retrying) throw new Error(`order ${id}: ${o.last_error.step} failed: ${o.last_error.code}`);
      return o?.status === status;
    });
  const lifecycle = async (buyer: string, seller: string) => {
    const created = expect(
      'POST /orders',
      await call('POST', '/orders', { buyer_id: buyer, seller_id: seller, amount: '1', currency: 'USD', title: 'soak' }),
      201,
    );
    const id: string = created.body.data.id;
    expect('reserve', await call('POST', `/orders/${id}/reserve`), 200);
    expect('escrow', await call('POST', `/orders/${id}/escrow`, { amount: '1', currency: 'USD' }), 202);
    await orderStatus(id, 'ESCROW_CREATED');
    expect('fund', await call('POST', `/orders/${id}/escrow/fund`), 202);
    await orderStatus(id, 'IN_PROGRESS');
    expect('deliver', await call('POST', `/orders/${id}/deliver`, { evidence: 'https://example.com/soak.zip' }), 200);
    expect('release', await call('POST', `/orders/${id}/resolution/release`), 202);
    await orderStatus(id, 'RELEASED');
  };
  const withdraw = async (user: string, destination: string) => {
    const asked = await call('POST', '/withdrawals', {
      user_id: user,
      amount: '1',
      currency: 'USD',
      destination: { type: 'stellar', address: destination },
    });
    // Withdrawals are limited to 5 a minute per user (by design): over it, the actor's turn is counted and skipped.
    if (asked.status === 429 && asked.body?.error?.details?.scope === 'withdrawals') return 'throttled';
    const res = expect('POST /withdrawals', asked, 201);
    const id: string = res.body.data.id;
    const end = await until(`withdrawal ${id}`, async () => {
      const w = (await call('GET', `/withdrawals/${id}`)).body?.data;
      return w && ['WITHDRAWAL_COMPLETED', 'WITHDRAWAL_FAILED'].includes(w.status) ? w : null;
    });
    if (end.status !== 'WITHDRAWAL_COMPLETED') throw new Error(`withdrawal ${id} ${end.status} ${end.failure_code ?? ''}`);
  };
  const reads = async (user: string) => {
    for (const path of [
      '/users?limit=20',
      `/users/${user}`,
      `/users/${user}/balance`,
      `/users/${user}/transactions?limit=20`,
      '/orders?limit=20',
      `/withdrawals?user_id=${user}&limit=20`,
    ])
      expect(`GET ${path}`, await call('GET', path), 200);
  };

  const actor = async (outside: string) => {
    const [buyer, seller] = await Promise.all([activeUser('BUYER'), activeUser('SELLER')]);
    await deposit(buyer, 50);
    const scenarios: Array<[string, number, () => Promise<unknown>]> = [
      ['order', 30, () => lifecycle(buyer.id, seller.id)],
      ['withdrawal', 10, () => withdraw(buyer.id, outside)],
      ['deposit', 15, () => deposit(buyer, 5)],
      ['user', 10, () => activeUser('BOTH')],
      ['reads', 35, () => reads(buyer.id)],
    ];
    const total = scenarios.reduce((n, [, w]) => n + w, 0);
    while (!stopping) {
      let pick = Math.random() * total;
      const [name, , run] = scenarios.find(([, w]) => (pick -= w) < 0) ?? scenarios[0];
      try {
        // Keep the buyer's balance above what the next order or withdrawal takes.
        if ((name === 'order' || name === 'withdrawal') && (await usd(buyer.id)) < 5) await deposit(buyer, 50);
        const outcome = await run();
        const key = outcome === 'throttled' ? `${name} (429, per-user limit)` : name;
        stats.done[key] = (stats.done[key] ?? 0) + 1;
      } catch (err) {
        stats.failed[name] = (stats.failed[name] ?? 0) + 1;
        if (stats.firstErrors.length < 10) stats.firstErrors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };

  let running: Promise<unknown> | undefined;
  return {
    stats,
    async start() {
      const outside = await outsideAccount(stack);
      running = Promise.all(Array.from({ length: opts.concurrency }, () => actor(outside)));
    },
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** An account outside the platform holding a USDC trustline: where withdrawals are paid (the chaos lifecycles use it too). */
export async function outsideAccount(
  stack: Pick<BenchStack, 'friendbotUrl' | 'horizonUrl' | 'networkPassphrase' | 'usdcIssuer'>,
): Promise<string> {
  const kp = Keypair.random();
  const funded = await fetch(`${stack.friendbotUrl}?addr=${kp.publicKey()}`);
  if (!funded.ok) throw new Error(`friendbot answered ${funded.status}`);
  const horizon = new Horizon.Server(stack.horizonUrl, { allowHttp: true });
  const tx = new TransactionBuilder(await horizon.loadAccount(kp.publicKey()), { fee: '100', networkPassphrase: stack.networkPassphrase })
    .addOperation(Operation.changeTrust({ asset: new Asset('USDC', stack.usdcIssuer) }))
    .setTimeout(60)
    .build();
  tx.sign(kp);
  await horizon.submitTransaction(tx);
  return kp.publicKey();
}
