import { LIFECYCLES } from '../../bench/chaos/lifecycles';
import type { ChaosEndpoints, LifecycleKind, LifecycleResult } from '../../bench/chaos/types';
import { DEV_WITNESS_PRIVATE_KEY, startPaymentPlatformSandbox, type PaymentPlatformSandbox } from '../../sandboxes/payment-platform';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { startFlakyProxy } from '../helpers/flaky-proxy';

/**
 * Every chaos lifecycle, all at once, against a test stack (Stellar, Trustless Work, Airtm and the payment platform
 * sandboxes, the real API and worker) whose lifetimes are short enough to wait for: once straight to the API, and
 * once more through a proxy that answers 503, loses answers after the API acted and hangs up on a share of the
 * requests (the client must ask again with the same Idempotency-Key and body). Each must reach the terminal state it
 * expects with exact balances (the lifecycle checks them; here its verdict is asserted).
 */
const EXPECTED: Record<LifecycleKind, string> = {
  deposit: 'CREDITED',
  'order.released': 'RELEASED',
  'order.refunded': 'REFUNDED',
  'order.dispute.release': 'RELEASED',
  'order.dispute.refund': 'REFUNDED',
  'order.dispute.split': 'CLOSED',
  'order.cancelled': 'CANCELLED',
  'order.expired': 'CANCELLED',
  'withdrawal.stellar': 'WITHDRAWAL_COMPLETED',
  'withdrawal.airtm': 'WITHDRAWAL_COMPLETED',
  'topup.confirmed': 'TOPUP_SUCCEEDED',
  'topup.failed': 'TOPUP_FAILED',
  'topup.abandoned': 'TOPUP_EXPIRED',
  'onramp.fulfilled': 'FULFILLED',
  'onramp.rejected': 'CANCELLED',
  'onramp.expired': 'EXPIRED',
};
const KINDS = Object.keys(EXPECTED) as LifecycleKind[];

let s: AirtmStack;
let platform: PaymentPlatformSandbox;
let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;
const results = new Map<string, LifecycleResult>();
const logs: string[] = [];

/** A small seeded generator (mulberry32), one stream per lifecycle. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  platform = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY });
  // As CHAOS_SETTINGS, with lifetimes short enough for a test (the funded orders escrow well within the reservation's).
  // The reservation's is 60 s, not less: through the proxy a lifecycle can meet a run of broken requests (half of them
  // fail, in rotation across all 32 lifecycles) lasting 20 s under CI's load, and a cancel that comes after the
  // reservation lapsed finds the order CANCELLED by its expiry instead (CI, 2026-12-01).
  s = await startAirtmStack({
    ONRAMP_WITNESSES: platform.witnessAddress,
    PLATFORM_FEE_PERCENT: '2.5',
    ORDER_RESERVATION_TTL_MS: '60000',
    ORDER_CREATED_TTL_MS: '60000',
    TOPUP_EXPIRY_MS: '10000',
    TOPUP_POLL_INITIAL_MS: '2000',
    TOPUP_POLL_MAX_MS: '5000',
    AIRTM_PAYOUT_POLL_INITIAL_MS: '500',
    AIRTM_PAYOUT_POLL_MAX_MS: '2000',
    ONRAMP_ORDER_TTL_MS: '20000',
  });
  const endpoints: ChaosEndpoints = {
    apiUrl: s.api.url,
    keys: { write: await s.api.keyWith('read', 'write'), support: await s.api.keyWith('read', 'write', 'support') },
    stellar: {
      horizonUrl: s.sandbox.url,
      friendbotUrl: s.sandbox.friendbotUrl,
      usdcFaucetUrl: s.sandbox.usdcFaucetUrl,
      networkPassphrase: s.sandbox.networkPassphrase,
      usdcIssuer: s.sandbox.usdcAsset.issuer,
    },
    airtm: { apiUrl: s.airtm.apiUrl, basic: `${s.overrides.AIRTM_API_KEY}:${s.overrides.AIRTM_API_SECRET}` },
    paymentPlatformUrl: platform.url,
    webhookReceiverUrl: 'http://127.0.0.1:9/not-used',
    databaseUrl: process.env.DATABASE_URL ?? '',
    temporal: { address: process.env.TEMPORAL_ADDRESS ?? '', namespace: 'default' },
  };
  proxy = await startFlakyProxy(s.api.url);
  const runs = [
    ...KINDS.map((kind) => ({ kind, name: kind, apiUrl: s.api.url })),
    ...KINDS.map((kind) => ({ kind, name: `${kind} through faults`, apiUrl: proxy.url })),
  ];
  await Promise.all(
    runs.map(async ({ kind, name, apiUrl }, i) => {
      const log = (line: string) => logs.push(`[${name}] ${line}`);
      results.set(
        name,
        await LIFECYCLES[kind]({ endpoints: { ...endpoints, apiUrl }, random: seeded(1000 + i), deadlineMs: 150_000, log }),
      );
    }),
  );
}, 200_000);
afterAll(async () => {
  await proxy?.stop();
  await s?.stop();
  await platform?.stop();
});

test.each(
  KINDS.flatMap((kind) => [
    [kind, kind],
    [kind, `${kind} through faults`],
  ]),
)('%s reaches its terminal state with exact balances (%s)', (kind, name) => {
  const r = results.get(name)!;
  expect({ kind: r.kind, ok: r.ok, expected: r.expected, actual: r.actual, error: r.error, logs: r.ok ? [] : logs }).toEqual({
    kind,
    ok: true,
    expected: EXPECTED[kind],
    actual: EXPECTED[kind],
    error: undefined,
    logs: [],
  });
  expect(r.id).not.toBe('');
  expect(Object.values(r.amounts ?? {}).every((v) => /^\d+$/.test(v))).toBe(true);
});

test('the proxy did break requests of every kind it breaks', () => {
  expect(proxy.faults.unavailable).toBeGreaterThan(10);
  expect(proxy.faults.answerLost).toBeGreaterThan(10);
  expect(proxy.faults.hungUp).toBeGreaterThan(10);
});
