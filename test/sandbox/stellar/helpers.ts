import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Account,
  Asset,
  Horizon,
  Keypair,
  Operation,
  TransactionBuilder,
  type FeeBumpTransaction,
  type Transaction,
  type xdr,
} from '@stellar/stellar-sdk';
import { startStellarSandbox, type StellarSandbox, type StellarSandboxOptions } from '../../../sandboxes/stellar';

export interface TestSandbox {
  sandbox: StellarSandbox;
  server: Horizon.Server;
  dir: string;
  dataFile: string;
  usdc: Asset;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stellar-sandbox-'));
}

/** A sandbox on a free port with fast ledgers and its own data file, and the real SDK pointed at it. */
export async function startTestSandbox(options: Partial<StellarSandboxOptions> & { dir?: string } = {}): Promise<TestSandbox> {
  const dir = options.dir ?? tempDir();
  const dataFile = options.dataFile ?? path.join(dir, 'stellar.json');
  const sandbox = await startStellarSandbox({ port: 0, ledgerIntervalMs: 100, ...options, dataFile });
  const server = new Horizon.Server(sandbox.url, { allowHttp: true });
  return {
    sandbox,
    server,
    dir,
    dataFile,
    usdc: new Asset('USDC', sandbox.usdcAsset.issuer),
    stop: () => sandbox.stop(),
  };
}

export async function funded(t: TestSandbox): Promise<Keypair> {
  const kp = Keypair.random();
  await t.server.friendbot(kp.publicKey()).call();
  return kp;
}

/** A transaction from `source` with the given operations, at the account's next sequence number, signed by `signers`. */
export async function buildTx(
  t: TestSandbox,
  source: Keypair | string,
  ops: xdr.Operation[],
  signers: Keypair[],
  opts: { fee?: string; sequence?: string; timeout?: number } = {},
): Promise<Transaction> {
  const id = typeof source === 'string' ? source : source.publicKey();
  const account = opts.sequence ? new Account(id, opts.sequence) : await t.server.loadAccount(id);
  const builder = new TransactionBuilder(account, { fee: opts.fee ?? '100', networkPassphrase: t.sandbox.networkPassphrase });
  for (const op of ops) builder.addOperation(op);
  const tx = builder.setTimeout(opts.timeout ?? 60).build();
  for (const s of signers) tx.sign(s);
  return tx;
}

export interface HorizonFailure {
  status: number;
  data: {
    type: string;
    title: string;
    status: number;
    detail?: string;
    extras?: {
      envelope_xdr?: string;
      result_xdr?: string;
      result_codes?: { transaction: string; inner_transaction?: string; operations?: string[] };
      hash?: string;
      invalid_field?: string;
      reason?: string;
    };
  };
}

/** Submits and expects Horizon to refuse: returns the HTTP status and problem document the SDK surfaced. */
export async function submitExpectingFailure(t: TestSandbox, tx: Transaction | FeeBumpTransaction): Promise<HorizonFailure> {
  try {
    await t.server.submitTransaction(tx, { skipMemoRequiredCheck: true });
  } catch (err) {
    const response = (err as { response?: { status: number; data: HorizonFailure['data'] } }).response;
    if (!response) throw err;
    return { status: response.status, data: response.data };
  }
  throw new Error('the submission succeeded');
}

export async function nativeBalance(t: TestSandbox, id: string): Promise<string> {
  const acc = await t.server.loadAccount(id);
  return acc.balances.find((b) => b.asset_type === 'native')!.balance;
}

export async function assetBalance(t: TestSandbox, id: string, asset: Asset): Promise<string | undefined> {
  const acc = await t.server.loadAccount(id);
  const line = acc.balances.find(
    (b) => b.asset_type !== 'native' && 'asset_code' in b && b.asset_code === asset.getCode() && b.asset_issuer === asset.getIssuer(),
  );
  return line?.balance;
}

/** Adds a USDC trustline to a funded account. */
export async function trustUsdc(t: TestSandbox, kp: Keypair, limit?: string): Promise<void> {
  const tx = await buildTx(t, kp, [Operation.changeTrust({ asset: t.usdc, ...(limit ? { limit } : {}) })], [kp]);
  await t.server.submitTransaction(tx);
}

/** Pays USDC from the faucet; returns the HTTP status and JSON body. */
export async function usdcFaucet(t: TestSandbox, address: string, amount: string): Promise<{ status: number; body: any }> {
  const res = await fetch(t.sandbox.usdcFaucetUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ address, amount }),
  });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: await res.json() };
}
