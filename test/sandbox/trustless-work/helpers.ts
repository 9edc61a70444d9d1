import { Keypair, TransactionBuilder } from '@stellar/stellar-sdk';
import { startTrustlessWorkSandbox, type TrustlessWorkSandbox } from '../../../src/sandbox/trustless-work';
import { assetBalance, funded, startTestSandbox, trustUsdc, usdcFaucet, type TestSandbox } from '../stellar/helpers';

export const API_KEY = 'tw-sandbox-test-key';

export interface TwTest {
  t: TestSandbox;
  tw: TrustlessWorkSandbox;
  stop(): Promise<void>;
}

export async function startTw(opts: { dataFile?: string } = {}): Promise<TwTest> {
  const t = await startTestSandbox();
  const tw = await startTrustlessWorkSandbox({ port: 0, stellar: t.sandbox, apiKey: API_KEY, ...opts });
  return {
    t,
    tw,
    async stop() {
      await tw.stop();
      await t.stop();
    },
  };
}

export interface Reply {
  status: number;
  body: any;
}

export async function call(tw: TrustlessWorkSandbox, method: 'GET' | 'POST', path: string, body?: unknown, apiKey: string | null = API_KEY): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (apiKey !== null) headers['x-api-key'] = apiKey;
  const res = await fetch(`${tw.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

/** Signs an unsigned transaction the API returned with `kp`. */
export function sign(t: TestSandbox, unsignedXdr: string, kp: Keypair): string {
  const tx = TransactionBuilder.fromXDR(unsignedXdr, t.sandbox.networkPassphrase);
  tx.sign(kp);
  return tx.toXDR();
}

/** Builds through `path`, signs with `kp` and sends; returns the send-transaction reply. */
export async function act(w: TwTest, path: string, body: unknown, kp: Keypair): Promise<Reply> {
  const built = await call(w.tw, 'POST', path, body);
  if (built.status !== 200) throw new Error(`${path} answered ${built.status}: ${JSON.stringify(built.body)}`);
  return call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: sign(w.t, built.body.unsignedTransaction, kp) });
}

/** A funded account with a USDC trustline and, optionally, USDC from the faucet. */
export async function party(t: TestSandbox, usdc?: string): Promise<Keypair> {
  const kp = await funded(t);
  await trustUsdc(t, kp);
  if (usdc) {
    const r = await usdcFaucet(t, kp.publicKey(), usdc);
    if (r.status !== 200) throw new Error(`faucet: ${JSON.stringify(r.body)}`);
  }
  return kp;
}

export const usdcOf = (t: TestSandbox, id: string) => assetBalance(t, id, t.usdc);
