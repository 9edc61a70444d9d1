import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DEV_WITNESS_PRIVATE_KEY, startPaymentPlatformSandbox, type PaymentPlatformSandbox } from '../../sandboxes/payment-platform';
import { eventually, startStellarStack, type StellarStack } from './stellar-stack';

/** A Stellar stack whose worker trusts the payment platform sandbox's witness, with keys and a funded merchant. */
export interface OnrampStack {
  s: StellarStack;
  platform: PaymentPlatformSandbox;
  /** A second platform whose witness nobody configured: its proofs carry forged signatures. */
  forger: PaymentPlatformSandbox;
  key: string;
  supportKey: string;
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  /** Registers a merchant, waits until its account is on chain and funds it with `usdc`. */
  merchant(usdc: string): Promise<{ id: string; address: string }>;
  /** Creates an order and waits for SIGNAL_MINED. */
  signalledOrder(body: Record<string, unknown>): Promise<any>;
  /** A proof of a payment declared on `platform` now. */
  proof(platform: PaymentPlatformSandbox, payment: Record<string, unknown>): unknown;
  /** Resolves once the workflow has completed (its result). */
  finished(workflowId: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startOnrampStack(
  extra: Record<string, string> = {},
  opts: Parameters<typeof startStellarStack>[1] = {},
): Promise<OnrampStack> {
  const platform = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY });
  const forger = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: `0x${randomBytes(32).toString('hex')}` });
  const s = await startStellarStack({ ONRAMP_WITNESSES: platform.witnessAddress, ...extra }, opts);
  const key = await s.api.keyWith('read', 'write');
  const supportKey = await s.api.keyWith('read', 'write', 'support');
  const call = (method: string, path: string, body?: unknown, k = key) =>
    s.api.call(method, `/api/v1${path}`, { key: k, ...(body === undefined ? {} : { body }) });
  const stack: OnrampStack = {
    s,
    platform,
    forger,
    key,
    supportKey,
    call,
    async merchant(usdc) {
      const res = await call('POST', '/onramp/merchants', { name: 'Merchant', handles: { venmo: '@merchant-venmo' } }, supportKey);
      if (res.status !== 201) throw new Error(`merchant registration answered ${res.status}: ${JSON.stringify(res.body)}`);
      const m = await eventually(
        async () => {
          const got = await call('GET', `/onramp/merchants/${res.body.responseObject.id}`);
          return got.body.responseObject.status === 'ACTIVE' && got.body.responseObject;
        },
        20_000,
        'merchant activation',
      );
      await s.faucet(m.address, usdc);
      return { id: m.id, address: m.address };
    },
    async signalledOrder(body) {
      const res = await call('POST', '/onramp/orders', body);
      if (res.status !== 201) throw new Error(`order creation answered ${res.status}: ${JSON.stringify(res.body)}`);
      return eventually(
        async () => {
          const got = await call('GET', `/onramp/orders/${res.body.responseObject.id}`);
          return got.body.responseObject.status === 'SIGNAL_MINED' && got.body.responseObject;
        },
        20_000,
        'signal mined',
      );
    },
    proof(p, payment) {
      const declared = p.declarePayment({ platform: 'venmo', currency: 'USD', senderHandle: '@buyer', ...payment });
      return p.proofOf(declared.id);
    },
    async finished(workflowId) {
      const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
      try {
        return await new Client({ connection }).workflow.getHandle(workflowId).result();
      } finally {
        await connection.close();
      }
    },
    async stop() {
      await s.stop();
      await platform.stop();
      await forger.stop();
    },
  };
  return stack;
}

/**
 * For a stack started without an in-process worker: a worker process, a merchant holding 100 USDC, an active buyer and
 * a signalled order of 10 USDC (rate 1); then the worker is killed, so nothing moves the order until one starts again.
 */
export async function signalledWithWorkerDown(t: OnrampStack) {
  const worker = await t.s.startWorkerProcess();
  const merchant = await t.merchant('100');
  const buyer = await t.s.activeUser(t.key);
  const order = await t.signalledOrder({
    merchantId: merchant.id,
    buyerId: buyer.id,
    amountUsdc: '10',
    paymentPlatform: 'venmo',
    fiatCurrency: 'USD',
    conversionRate: '1',
    recipient: '@merchant-venmo',
  });
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  return { merchant, buyer, order };
}
