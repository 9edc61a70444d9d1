import { Asset, type Keypair, TransactionBuilder } from '@stellar/stellar-sdk';
import { startTrustlessWorkSandbox, type TrustlessWorkSandbox } from '../../../sandboxes/trustless-work';
import { assetBalance, funded, startTestSandbox, trustUsdc, usdcFaucet, type TestSandbox } from '../stellar/helpers';

export const API_KEY = 'tw-sandbox-test-key';

export interface TwTest {
  t: TestSandbox;
  tw: TrustlessWorkSandbox;
  stop(): Promise<void>;
}

/** Requests per key and minute these suites allow: they make far more than the real 50 (the sandbox's default). */
export const TEST_REQUESTS_PER_MINUTE = 100_000;

export async function startTw(opts: { dataFile?: string; requestsPerMinute?: number } = {}): Promise<TwTest> {
  const t = await startTestSandbox();
  const tw = await startTrustlessWorkSandbox({
    port: 0,
    stellar: t.sandbox,
    apiKey: API_KEY,
    requestsPerMinute: TEST_REQUESTS_PER_MINUTE,
    ...opts,
  });
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

export async function call(
  tw: TrustlessWorkSandbox,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  apiKey: string | null = API_KEY,
): Promise<Reply> {
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
  return call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: sign(w.t, built.body.unsignedXdr, kp) });
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

export interface Parties {
  buyer: Keypair; // approver and release signer
  seller: Keypair; // service provider and receiver
  platform: Keypair; // platform address and dispute resolver; deploys
}

/** The roles as OFFER-HUB assigns them; the buyer starts with 150 USDC. */
export async function makeParties(t: TestSandbox): Promise<Parties> {
  const [buyer, seller, platform] = await Promise.all([party(t, '150'), party(t), party(t)]);
  return { buyer: buyer!, seller: seller!, platform: platform! };
}

/** The USDC Stellar Asset Contract on the test network: the escrow's `trustline.address`. */
export const usdcContract = (t: TestSandbox) =>
  new Asset(t.sandbox.usdcAsset.code, t.sandbox.usdcAsset.issuer).contractId(t.sandbox.networkPassphrase);

/** A deploy body (docs v2-en/api-rest/deploy/initialize-escrow.md): 100 USDC, 5% platform fee, one milestone. */
export function deployBody(t: TestSandbox, p: Parties, overrides: Record<string, unknown> = {}) {
  return {
    signer: p.platform.publicKey(),
    engagementId: `ord_${Math.random().toString(36).slice(2)}`,
    title: 'Logo design',
    description: 'A logo in three colours',
    roles: {
      approver: p.buyer.publicKey(),
      serviceProvider: p.seller.publicKey(),
      platformAddress: p.platform.publicKey(),
      releaseSigner: p.buyer.publicKey(),
      disputeResolver: p.platform.publicKey(),
      receiver: p.seller.publicKey(),
    },
    amount: 100,
    platformFee: 5,
    milestones: [{ description: 'Deliver the logo' }],
    trustline: { address: usdcContract(t) },
    ...overrides,
  };
}

/** Deploys the escrow of `deployBody` and funds it with the buyer's 100 USDC; returns the contract id. */
export async function deployAndFund(w: TwTest, p: Parties): Promise<string> {
  const deployed = await act(w, '/escrow/single-release/v2/deploy', deployBody(w.t, p), p.platform);
  if (deployed.status !== 200) throw new Error(`deploy: ${JSON.stringify(deployed.body)}`);
  const contractId: string = deployed.body.contractId;
  const funded = await act(w, '/escrow/single-release/v2/fund-escrow', { contractId, signer: p.buyer.publicKey(), amount: 100 }, p.buyer);
  if (funded.status !== 200) throw new Error(`fund: ${JSON.stringify(funded.body)}`);
  return contractId;
}

/** The service provider marks milestone 0 completed and the approver approves it. */
export async function deliverAndApprove(w: TwTest, p: Parties, contractId: string): Promise<void> {
  const changed = await act(
    w,
    '/escrow/single-release/v2/change-milestone-status',
    {
      contractId,
      milestoneIndex: '0',
      newStatus: 'completed',
      newEvidence: 'https://example.com/logo.svg',
      serviceProvider: p.seller.publicKey(),
    },
    p.seller,
  );
  if (changed.status !== 200) throw new Error(`change status: ${JSON.stringify(changed.body)}`);
  const approved = await act(
    w,
    '/escrow/single-release/v2/approve-milestone',
    { contractId, milestoneIndex: '0', approver: p.buyer.publicKey() },
    p.buyer,
  );
  if (approved.status !== 200) throw new Error(`approve: ${JSON.stringify(approved.body)}`);
}

export async function escrowOf(w: TwTest, contractId: string, query = ''): Promise<any> {
  const res = await call(w.tw, 'GET', `/helper/get-escrow-by-contract-ids?contractIds[]=${contractId}${query}`);
  if (res.status !== 200) throw new Error(`get escrow: ${JSON.stringify(res.body)}`);
  return res.body[0];
}

/** USDC balance in stroops. */
export async function usdcStroops(t: TestSandbox, id: string): Promise<bigint> {
  const text = (await assetBalance(t, id, t.usdc)) ?? '0.0000000';
  const [whole, frac] = text.split('.');
  return BigInt(whole!) * 10_000_000n + BigInt(frac!);
}
