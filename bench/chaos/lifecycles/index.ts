/**
 * PLACEHOLDER (replaced at merge by the lifecycles' own files): one deposit, for the stack's own runs. A user is
 * created, its wallet becomes ACTIVE, the faucet sends USDC to its deposit address and the balance shows it.
 */
import crypto from 'node:crypto';
import type { Lifecycle, LifecycleContext, LifecycleKind, LifecycleResult } from '../types';

async function call(ctx: LifecycleContext, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  for (;;) {
    try {
      const res = await fetch(`${ctx.endpoints.apiUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ctx.endpoints.keys.write}`,
          ...(body === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'idempotency-key': crypto
                  .createHash('sha256')
                  .update(`${path} ${JSON.stringify(body)}`)
                  .digest('hex'),
              }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status < 500) return { status: res.status, body: await res.json() };
    } catch {
      // the API is down (a restart): try again
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const deposit: Lifecycle = async (ctx) => {
  const started = Date.now();
  const result = (id: string, actual: string, error?: string): LifecycleResult => ({
    kind: 'deposit',
    id,
    expected: '10',
    actual,
    ok: !error,
    ms: Date.now() - started,
    ...(error ? { error } : {}),
  });
  const until = async (what: string, fn: () => Promise<boolean>) => {
    while (!(await fn())) {
      if (Date.now() - started > ctx.deadlineMs) throw new Error(`${what} not reached in ${ctx.deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const created = await call(ctx, 'POST', '/users', { external_user_id: `chaos-${crypto.randomUUID()}`, type: 'BOTH' });
  if (created.status !== 201) return result('', 'none', `user creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.data.id as string;
  let address = '';
  try {
    await until('wallet ACTIVE', async () => {
      const w = await call(ctx, 'GET', `/users/${id}/wallet/deposit`);
      address = w.body.data?.address;
      return w.body.data?.status === 'ACTIVE';
    });
    const faucet = await fetch(ctx.endpoints.stellar.usdcFaucetUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address, amount: '10' }),
    });
    if (!faucet.ok) return result(id, 'no deposit', `faucet answered ${faucet.status}`);
    let available = '0';
    await until('balance 10', async () => {
      const b = await call(ctx, 'GET', `/users/${id}/balance`);
      available = b.body.data?.balances?.find((x: { currency: string }) => x.currency === 'USD')?.available ?? '0';
      return Number(available) >= 10;
    });
    return result(id, available);
  } catch (err) {
    return result(id, 'stuck', err instanceof Error ? err.message : String(err));
  }
};

export const LIFECYCLES = { deposit } as Record<LifecycleKind, Lifecycle>;
