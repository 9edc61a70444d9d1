/**
 * The measured phase of the orders bench: one full order lifecycle per buyer/seller pair, all pairs at once, each
 * lifecycle's calls in sequence through the real REST API — create, reserve, escrow, fund, deliver, release — timed
 * as the client sees them (202 for the steps on chain, whose outcome is then awaited: outcomes.ts). A lifecycle
 * stops at its first call that does not answer as it should (201 for create, 202 for a step on chain, 200 otherwise);
 * the error is kept for the report.
 */
import { type ApiClient, expectStatus } from './api-client';
import type { Outcomes } from './outcomes';
import type { Pair } from './parties';
import { type PhaseResult, timed } from './stats';

export const ORDER_CALLS = ['create', 'reserve', 'escrow', 'fund', 'deliver', 'release'] as const;

/** The steps on chain answer 202 once accepted; the lifecycle then waits for the status each one ends in. */
const ACCEPTED = { escrow: 'ESCROW_CREATED', fund: 'IN_PROGRESS', deliver: 'DELIVERED', release: 'RELEASED' } as const;

/** `stepWaitMs`: how long a step on chain may take to reach its outcome (120 s; a paced burst queues far longer). */
export async function runOrders(
  api: ApiClient,
  outcomes: Outcomes,
  pairs: Pair[],
  amount: string,
  stepWaitMs = 120_000,
): Promise<PhaseResult & { orderIds: string[] }> {
  const calls: Record<string, number[]> = Object.fromEntries(ORDER_CALLS.map((c) => [c, []]));
  const errors: string[] = [];
  const orderIds: string[] = [];
  const lifecycle = async (pair: Pair) => {
    try {
      const created = await timed(calls, 'create', () =>
        api.post('/orders', { buyer_id: pair.buyer, seller_id: pair.seller, amount, currency: 'USD', title: 'Bench order' }),
      );
      const id: string = expectStatus('POST /orders', created, 201).body.data.id;
      orderIds.push(id);
      const steps: Array<[(typeof ORDER_CALLS)[number], string, object?]> = [
        ['reserve', `/orders/${id}/reserve`],
        ['escrow', `/orders/${id}/escrow`, { amount, currency: 'USD' }],
        ['fund', `/orders/${id}/escrow/fund`],
        ['deliver', `/orders/${id}/deliver`, { evidence: 'https://example.com/bench-delivery.zip' }],
        ['release', `/orders/${id}/resolution/release`],
      ];
      for (const [name, path, body] of steps) {
        const done = ACCEPTED[name as keyof typeof ACCEPTED];
        expectStatus(`POST ${path}`, await timed(calls, name, () => api.post(path, body)), done ? 202 : 200);
        if (done) await outcomes.wait(id, done, stepWaitMs);
      }
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  };
  const t0 = performance.now();
  await Promise.all(pairs.map(lifecycle));
  return { count: pairs.length, wallMs: performance.now() - t0, calls, errors, orderIds };
}

/** After the phase (not timed): every order must read RELEASED. Returns one line per order that does not. */
export async function checkReleased(api: ApiClient, orderIds: string[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const id of orderIds) {
    const res = await api.get(`/orders/${id}`);
    const status = res.body?.data?.status;
    if (res.status !== 200 || status !== 'RELEASED')
      wrong.push(`GET /orders/${id}: ${res.status} status ${status ?? res.text.slice(0, 300)}`);
  }
  return wrong;
}
