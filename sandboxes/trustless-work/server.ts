import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  Address,
  Asset,
  Horizon,
  Keypair,
  Operation,
  SorobanDataBuilder,
  StrKey,
  Transaction,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { formatStroops, parseAmount, type StellarSandbox } from '../stellar';
import {
  ESCROW_WASM_HASH,
  ROLE_NAMES,
  addressVal,
  contractIdFor,
  deployPreimage,
  escrowContractHandler,
  escrowToScVal,
  i128,
  isFinal,
  parseEscrow,
  refusal,
  serializeEscrow,
  stringVal,
  u32,
  type Call,
  type EscrowState,
  type Milestone,
  type Roles,
  type UsdcAsset,
} from './contract';
import { ed25519Verify } from '../../src/crypto/ed25519';

export interface TrustlessWorkSandboxOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  host?: string;
  /** The running sandbox Stellar network the escrows live on. */
  stellar: StellarSandbox;
  /** The value every request must carry in `x-api-key`. */
  apiKey: string;
  /** JSON file holding the fee account's key and the escrow index; loaded on start, rewritten on every change. */
  dataFile?: string;
  /** Secret seed of the account that receives the 0.3% protocol fee; otherwise generated (and kept in dataFile). */
  feeAccountSecret?: string;
}

export interface TrustlessWorkSandbox {
  url: string;
  /** The account (G...) the 0.3% protocol fee is paid to. */
  feeAccount: string;
  stop(): Promise<void>;
}

const FILE_FORMAT = 'offerhub-trustless-work-sandbox/1';
/** Declared Soroban resource fee of every transaction built, in stroops (the inclusion fee is 100 more). */
export const RESOURCE_FEE = 100_000;
const TX_TIMEOUT_SECONDS = 300;
const SUCCESS_MESSAGE = 'The transaction has been successfully sent to the Stellar network.';

interface Indexed {
  escrow: EscrowState;
  balance: bigint;
}

interface DataFile {
  format: string;
  feeAccountSecret: string;
  escrows: Array<{ escrow: string; balance: string }>;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

const bad = (message: string, extra?: Record<string, unknown>) => new HttpError(400, message, extra);

// ---- body validation -------------------------------------------------------------------------------------------

type Body = Record<string, unknown>;

function str(body: Body, field: string, opts: { optional?: boolean; allowEmpty?: boolean } = {}): string {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.optional) return '';
    throw bad(`${field} is required`);
  }
  if (typeof v !== 'string' || (!opts.allowEmpty && v.trim() === '')) throw bad(`${field} must be a non-empty string`);
  return v;
}

function account(body: Body, field: string, label = field): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw bad(`${label} is required`);
  if (typeof v !== 'string' || !StrKey.isValidEd25519PublicKey(v)) throw bad(`${label} must be a valid Stellar address`);
  return v;
}

function contractIdOf(body: Body): string {
  const v = body.contractId;
  if (v === undefined || v === null || v === '') throw bad('contractId is required');
  if (typeof v !== 'string' || !StrKey.isValidContract(v)) throw bad('contractId must be a valid contract address');
  return v;
}

/** A positive USDC amount given as a JSON number or a decimal string, at most 7 decimals, as stroops. */
function amountOf(v: unknown, field: string): bigint {
  if (v === undefined || v === null || v === '') throw bad(`${field} is required`);
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v : '';
  const stroops = parseAmount(text);
  if (stroops === null) throw bad(`${field} must be a positive amount with at most 7 decimals`);
  if (stroops <= 0n) throw bad(`${field} must be greater than zero`);
  return stroops;
}

function milestoneIndexOf(body: Body): number {
  const v = body.milestoneIndex;
  if (v === undefined || v === null || v === '') throw bad('milestoneIndex is required');
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
  if (!/^\d{1,4}$/.test(text)) throw bad('milestoneIndex must be a non-negative integer');
  return Number(text);
}

const toNumber = (stroops: bigint) => Number(formatStroops(stroops));

// ---- the server ------------------------------------------------------------------------------------------------

/**
 * Starts a sandbox of Trustless Work's REST API (v1, single-release escrows) over the sandbox Stellar network:
 * endpoints return real unsigned Soroban transactions, `/helper/send-transaction` checks the role that signed and
 * submits to the sandbox Horizon, and the escrow contract (a host-function handler registered on `stellar`)
 * keeps each escrow's state in its contract storage and moves the USDC.
 */
export async function startTrustlessWorkSandbox(options: TrustlessWorkSandboxOptions): Promise<TrustlessWorkSandbox> {
  const { stellar, apiKey } = options;
  if (!apiKey) throw new Error('apiKey is required');
  const horizon = new Horizon.Server(stellar.url, { allowHttp: true });
  const passphrase = stellar.networkPassphrase;
  const usdc: UsdcAsset = { type: 'credit_alphanum4', code: stellar.usdcAsset.code, issuer: stellar.usdcAsset.issuer };
  const usdcAsset = new Asset(usdc.code, usdc.issuer);
  const usdcContractId = usdcAsset.contractId(passphrase);

  const saved = options.dataFile ? loadDataFile(options.dataFile) : null;
  const feeKeys = Keypair.fromSecret(options.feeAccountSecret ?? saved?.feeAccountSecret ?? Keypair.random().secret());
  const index = new Map<string, Indexed>();
  for (const e of saved?.escrows ?? []) {
    const escrow = parseEscrow(e.escrow);
    index.set(escrow.contractId, { escrow, balance: BigInt(e.balance) });
  }

  const save = () => {
    if (!options.dataFile) return;
    const file: DataFile = {
      format: FILE_FORMAT,
      feeAccountSecret: feeKeys.secret(),
      escrows: [...index.values()].map((v) => ({ escrow: serializeEscrow(v.escrow), balance: v.balance.toString() })),
    };
    fs.mkdirSync(path.dirname(options.dataFile), { recursive: true });
    const tmp = `${options.dataFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(file));
    fs.renameSync(tmp, options.dataFile);
  };

  await ensureFeeAccount(stellar, horizon, feeKeys, usdcAsset);
  save();

  const unregister = stellar.registerHostFunctionHandler(
    escrowContractHandler({
      usdc,
      feeAccount: feeKeys.publicKey(),
      onState(escrow, balance) {
        index.set(escrow.contractId, { escrow: structuredClone(escrow), balance });
        save();
      },
    }),
  );

  /**
   * Reads an escrow from its contract's storage on the network, through a `get_escrow` call paid by the fee
   * account (the handler records what it read in the index). Reads are serialized: they share one source account.
   */
  let reads: Promise<unknown> = Promise.resolve();
  const readOnChain = (contractId: string): Promise<Indexed | undefined> => {
    const read = reads.then(async () => {
      const acc = await horizon.loadAccount(feeKeys.publicKey());
      const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: passphrase })
        .addOperation(Operation.invokeContractFunction({ contract: contractId, function: 'get_escrow', args: [] }))
        .setSorobanData(new SorobanDataBuilder().setResourceFee(RESOURCE_FEE).build())
        .setTimeout(60)
        .build();
      tx.sign(feeKeys);
      const ok = await horizon.submitTransaction(tx).then(
        () => true,
        (err: { response?: { status?: number } }) => {
          if (err.response?.status === 400) return false; // function_trapped: no escrow at that address
          throw new HttpError(502, 'The Stellar network could not be reached');
        },
      );
      return ok ? index.get(contractId) : undefined;
    });
    reads = read.catch(() => undefined);
    return read;
  };

  const find = async (contractId: string): Promise<Indexed> => {
    const found = index.get(contractId) ?? (await readOnChain(contractId));
    if (!found) throw bad(`Escrow not found: ${contractId}`);
    return found;
  };

  const check = async (contractId: string, call: Call, caller: string) => {
    const { escrow, balance } = await find(contractId);
    const why = refusal(escrow, balance, call, caller);
    if (why) throw bad(why);
  };

  /** An unsigned transaction from `source` with one invokeHostFunction operation. */
  const build = async (source: string, op: xdr.Operation): Promise<string> => {
    let acc;
    try {
      acc = await horizon.loadAccount(source);
    } catch (err) {
      if ((err as { response?: { status?: number } }).response?.status === 404)
        throw bad(`The account ${source} does not exist on the network`);
      throw new HttpError(502, 'The Stellar network could not be reached');
    }
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: passphrase })
      .addOperation(op)
      .setSorobanData(new SorobanDataBuilder().setResourceFee(RESOURCE_FEE).build())
      .setTimeout(TX_TIMEOUT_SECONDS)
      .build();
    return tx.toXDR();
  };

  const invoke = (contract: string, fn: string, args: xdr.ScVal[]) => Operation.invokeContractFunction({ contract, function: fn, args });

  const routes: Record<string, (body: Body) => Promise<unknown>> = {
    'POST /deployer/single-release': async (body) => {
      const signer = account(body, 'signer');
      const engagementId = str(body, 'engagementId');
      const title = str(body, 'title');
      const description = str(body, 'description');
      const rolesBody = body.roles;
      if (!rolesBody || typeof rolesBody !== 'object') throw bad('roles is required');
      const roles = {} as Roles;
      for (const r of ROLE_NAMES) roles[r] = account(rolesBody as Body, r, `roles.${r}`);
      const amount = amountOf(body.amount, 'amount');
      const feeText =
        typeof body.platformFee === 'number' ? String(body.platformFee) : typeof body.platformFee === 'string' ? body.platformFee : '';
      if (body.platformFee === undefined || body.platformFee === null) throw bad('platformFee is required');
      if (!/^\d{1,2}(\.\d{1,2})?$/.test(feeText)) throw bad('platformFee must be a percentage between 0 and 99.7 with at most 2 decimals');
      const [whole, frac = ''] = feeText.split('.');
      const platformFeeBps = BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'));
      if (platformFeeBps > 9_970n) throw bad('platformFee must be a percentage between 0 and 99.7 with at most 2 decimals');
      if (!Array.isArray(body.milestones) || body.milestones.length === 0) throw bad('milestones must be a non-empty array');
      const milestones: Milestone[] = body.milestones.map((m: unknown, i: number) => {
        if (!m || typeof m !== 'object') throw bad(`milestones[${i}] must be an object`);
        const mb = m as Body;
        return {
          description: str(mb, 'description'),
          status: str(mb, 'status', { optional: true }) || 'pending',
          evidence: str(mb, 'evidence', { optional: true, allowEmpty: true }),
          approved: false,
        };
      });
      const trustline = body.trustline as Body | undefined;
      if (!trustline || typeof trustline !== 'object') throw bad('trustline is required');
      if (trustline.address !== usdc.issuer && trustline.address !== usdcContractId) {
        throw bad(`trustline.address must be the USDC issuer (${usdc.issuer}) or its token contract (${usdcContractId})`);
      }
      const decimals = trustline.decimals ?? 10_000_000;
      if (decimals !== 7 && decimals !== 10_000_000) throw bad('trustline.decimals must be 10000000 (or 7): USDC has 7 decimals');
      const receiverMemo = body.receiverMemo ?? 0;
      if (typeof receiverMemo !== 'number' || !Number.isSafeInteger(receiverMemo) || receiverMemo < 0)
        throw bad('receiverMemo must be a non-negative integer');

      const acc = await horizon.loadAccount(signer).catch(() => null);
      if (!acc) throw bad(`The account ${signer} does not exist on the network`);
      // Deterministic: the same signer, engagement and sequence number give the same contract id.
      const salt = crypto.createHash('sha256').update(`${engagementId}\n${acc.sequenceNumber()}`).digest();
      const op = Operation.createCustomContract({
        address: new Address(signer),
        wasmHash: ESCROW_WASM_HASH,
        salt,
        constructorArgs: [
          escrowToScVal({
            signer,
            engagementId,
            title,
            description,
            roles,
            amount,
            platformFeeBps,
            milestones,
            flags: { disputed: false, released: false, resolved: false },
            trustline: { address: trustline.address as string, decimals },
            receiverMemo,
          }),
        ],
      });
      const contractId = contractIdFor(passphrase, deployPreimage(signer, salt));
      if (index.has(contractId)) throw bad(`An escrow already exists at ${contractId}`);
      return { status: 'SUCCESS', unsignedTransaction: await build(signer, op) };
    },

    'POST /escrow/single-release/fund-escrow': async (body) => {
      const contractId = contractIdOf(body);
      const signer = account(body, 'signer');
      const amount = amountOf(body.amount, 'amount');
      await check(contractId, { fn: 'fund_escrow', signer, amount }, signer);
      return {
        status: 'SUCCESS',
        unsignedTransaction: await build(signer, invoke(contractId, 'fund_escrow', [addressVal(signer), i128(amount)])),
      };
    },

    'POST /escrow/single-release/change-milestone-status': async (body) => {
      const contractId = contractIdOf(body);
      const milestoneIndex = milestoneIndexOf(body);
      const newStatus = str(body, 'newStatus');
      const newEvidence = str(body, 'newEvidence', { optional: true, allowEmpty: true });
      const serviceProvider = account(body, 'serviceProvider');
      await check(contractId, { fn: 'change_milestone_status', milestoneIndex, newStatus, newEvidence, serviceProvider }, serviceProvider);
      const args = [u32(milestoneIndex), stringVal(newStatus), stringVal(newEvidence), addressVal(serviceProvider)];
      return { status: 'SUCCESS', unsignedTransaction: await build(serviceProvider, invoke(contractId, 'change_milestone_status', args)) };
    },

    'POST /escrow/single-release/approve-milestone': async (body) => {
      const contractId = contractIdOf(body);
      const milestoneIndex = milestoneIndexOf(body);
      const approver = account(body, 'approver');
      const newFlag = body.newFlag ?? true;
      if (typeof newFlag !== 'boolean') throw bad('newFlag must be a boolean');
      await check(contractId, { fn: 'approve_milestone', milestoneIndex, newFlag, approver }, approver);
      const args = [u32(milestoneIndex), xdr.ScVal.scvBool(newFlag), addressVal(approver)];
      return { status: 'SUCCESS', unsignedTransaction: await build(approver, invoke(contractId, 'approve_milestone', args)) };
    },

    'POST /escrow/single-release/release-funds': async (body) => {
      const contractId = contractIdOf(body);
      const releaseSigner = account(body, 'releaseSigner');
      await check(contractId, { fn: 'release_funds', releaseSigner, trustlessWorkAddress: feeKeys.publicKey() }, releaseSigner);
      const args = [addressVal(releaseSigner), addressVal(feeKeys.publicKey())];
      return { status: 'SUCCESS', unsignedTransaction: await build(releaseSigner, invoke(contractId, 'release_funds', args)) };
    },

    'POST /escrow/single-release/dispute-escrow': async (body) => {
      const contractId = contractIdOf(body);
      const signer = account(body, 'signer');
      await check(contractId, { fn: 'dispute_escrow', signer }, signer);
      return { status: 'SUCCESS', unsignedTransaction: await build(signer, invoke(contractId, 'dispute_escrow', [addressVal(signer)])) };
    },

    'POST /escrow/single-release/resolve-dispute': async (body) => {
      const contractId = contractIdOf(body);
      const disputeResolver = account(body, 'disputeResolver');
      if (!Array.isArray(body.distributions) || body.distributions.length === 0) throw bad('distributions must be a non-empty array');
      const seen = new Set<string>();
      const distributions = body.distributions.map((d: unknown, i: number) => {
        if (!d || typeof d !== 'object') throw bad(`distributions[${i}] must be an object`);
        const address = account(d as Body, 'address', `distributions[${i}].address`);
        if (seen.has(address)) throw bad(`distributions[${i}].address appears twice`);
        seen.add(address);
        return { address, amount: amountOf((d as Body).amount, `distributions[${i}].amount`) };
      });
      await check(
        contractId,
        { fn: 'resolve_dispute', disputeResolver, trustlessWorkAddress: feeKeys.publicKey(), distributions },
        disputeResolver,
      );
      const sorted = [...distributions].sort((a, b) =>
        Buffer.compare(new Address(a.address).toScAddress().toXDR(), new Address(b.address).toScAddress().toXDR()),
      );
      const map = xdr.ScVal.scvMap(sorted.map((d) => new xdr.ScMapEntry({ key: addressVal(d.address), val: i128(d.amount) })));
      const args = [addressVal(disputeResolver), addressVal(feeKeys.publicKey()), map];
      return { status: 'SUCCESS', unsignedTransaction: await build(disputeResolver, invoke(contractId, 'resolve_dispute', args)) };
    },

    'POST /helper/send-transaction': async (body) => {
      const signedXdr = str(body, 'signedXdr');
      let tx: Transaction;
      try {
        const decoded = TransactionBuilder.fromXDR(signedXdr, passphrase);
        if (!(decoded instanceof Transaction)) throw bad('signedXdr must be a transaction, not a fee bump');
        tx = decoded;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw bad('signedXdr is not a valid transaction envelope');
      }
      if (tx.operations.length !== 1 || tx.operations[0]!.type !== 'invokeHostFunction') {
        throw bad('The transaction must hold exactly one invokeHostFunction operation');
      }
      const hostFn = (tx.operations[0] as Operation.InvokeHostFunction).func;
      const source = tx.operations[0]!.source ?? tx.source;
      let deployed: string | undefined;
      if (hostFn.switch().name === 'hostFunctionTypeCreateContractV2') {
        const preimage = hostFn.createContractV2().contractIdPreimage();
        if (preimage.switch().name !== 'contractIdPreimageFromAddress') throw bad('Unsupported deployment');
        deployed = contractIdFor(passphrase, preimage);
        const deployer = Address.fromScAddress(preimage.fromAddress().address()).toString();
        if (deployer !== source) throw bad('The deployment must be made by its signer');
        requireSignature(tx, source, 'signer');
      } else if (hostFn.switch().name === 'hostFunctionTypeInvokeContract') {
        const call = hostFn.invokeContract();
        const contractId = Address.fromScAddress(call.contractAddress()).toString();
        const { escrow } = await find(contractId);
        const fn = call.functionName().toString();
        const role = requiredRole(escrow, fn, source);
        if (source !== role.address) throw bad(`The transaction must be signed by the ${role.name} (${role.address})`);
        requireSignature(tx, source, role.name);
      } else {
        throw bad('Unsupported host function');
      }

      const res = await fetch(`${stellar.url}/transactions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ tx: signedXdr }).toString(),
      }).catch(() => null);
      if (!res) throw new HttpError(502, 'The transaction could not be sent to the Stellar network');
      const json = (await res.json().catch(() => ({}))) as {
        successful?: boolean;
        hash?: string;
        extras?: { hash?: string; result_codes?: unknown };
      };
      if (!res.ok || json.successful === false) {
        const codes = json?.extras?.result_codes;
        throw new HttpError(res.status >= 500 ? 502 : 400, 'The transaction failed on the Stellar network', {
          status: 'FAILED',
          ...(codes ? { resultCodes: codes } : {}),
          ...(json?.extras?.hash || json?.hash ? { txHash: json?.extras?.hash ?? json?.hash } : {}),
        });
      }
      const result: Record<string, unknown> = { status: 'SUCCESS', message: SUCCESS_MESSAGE, txHash: json.hash };
      if (deployed) {
        const found = index.get(deployed);
        result.contractId = deployed;
        if (found) result.escrow = view(found);
      }
      return result;
    },
  };

  const getEscrows = async (url: URL) => {
    const ids = [...url.searchParams.getAll('contractIds[]'), ...url.searchParams.getAll('contractIds')]
      .flatMap((v) => v.split(','))
      .filter(Boolean);
    if (ids.length === 0) throw bad('contractIds is required');
    for (const id of ids) if (!StrKey.isValidContract(id)) throw bad(`contractIds: ${id} is not a valid contract address`);
    const validate = url.searchParams.get('validateOnChain') === 'true';
    const found: Indexed[] = [];
    for (const id of ids) {
      const one = validate ? await readOnChain(id) : (index.get(id) ?? (await readOnChain(id)));
      if (one) found.push(one);
    }
    return found.map(view);
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const fail = (err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'Internal server error');
      send(e.statusCode, { statusCode: e.statusCode, message: e.message, error: REASONS[e.statusCode] ?? 'Error', ...e.extra });
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const url = new URL(req.url ?? '/', 'http://localhost');
          const key = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
          const known = key === 'GET /helper/get-escrow-by-contract-ids' || key in routes;
          if (!known) throw new HttpError(404, `Cannot ${req.method} ${url.pathname}`);
          if (req.headers['x-api-key'] !== apiKey) throw new HttpError(401, 'Unauthorized');
          if (key === 'GET /helper/get-escrow-by-contract-ids') return send(200, await getEscrows(url));
          let body: unknown;
          try {
            body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
          } catch {
            throw bad('The body must be JSON');
          }
          if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('The body must be a JSON object');
          send(200, await routes[key]!(body as Body));
        } catch (err) {
          fail(err);
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let stopped: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    feeAccount: feeKeys.publicKey(),
    stop() {
      stopped ??= (async () => {
        unregister();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        save();
      })();
      return stopped;
    },
  };
}

/** The signer each contract function needs. */
function requiredRole(escrow: EscrowState, fn: string, source: string): { name: string; address: string } {
  const { roles } = escrow;
  switch (fn) {
    case 'fund_escrow':
      return { name: 'signer', address: source };
    case 'change_milestone_status':
      return { name: 'serviceProvider', address: roles.serviceProvider };
    case 'approve_milestone':
      return { name: 'approver', address: roles.approver };
    case 'release_funds':
      return { name: 'releaseSigner', address: roles.releaseSigner };
    case 'dispute_escrow':
      if (source === roles.disputeResolver) throw bad('The dispute resolver cannot open a dispute');
      return { name: 'signer', address: source };
    case 'resolve_dispute':
      return { name: 'disputeResolver', address: roles.disputeResolver };
    default:
      throw bad(`Unknown escrow function ${fn}`);
  }
}

/** Throws unless the transaction carries a valid signature of `account`'s key. */
function requireSignature(tx: Transaction, accountId: string, roleName: string): void {
  const kp = Keypair.fromPublicKey(accountId);
  const hash = tx.hash();
  const signed = tx.signatures.some((s) => s.hint().equals(kp.signatureHint()) && ed25519Verify(kp.rawPublicKey(), hash, s.signature()));
  if (!signed) throw bad(`The transaction must be signed by the ${roleName} (${accountId})`);
}

function view({ escrow, balance }: Indexed) {
  return {
    contractId: escrow.contractId,
    signer: escrow.signer,
    type: 'single-release',
    engagementId: escrow.engagementId,
    title: escrow.title,
    description: escrow.description,
    roles: escrow.roles,
    amount: toNumber(escrow.amount),
    platformFee: Number(escrow.platformFeeBps) / 100,
    balance: toNumber(balance),
    milestones: escrow.milestones.map((m) => ({ ...m })),
    flags: { ...escrow.flags },
    trustline: escrow.trustline,
    receiverMemo: escrow.receiverMemo,
    isActive: !isFinal(escrow),
  };
}

function loadDataFile(file: string): DataFile | null {
  if (!fs.existsSync(file)) return null;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as DataFile;
  if (data.format !== FILE_FORMAT) throw new Error(`${file} is not a Trustless Work sandbox data file`);
  return data;
}

/** The protocol-fee account must exist and trust USDC: friendbot, then a changeTrust of its own. */
async function ensureFeeAccount(stellar: StellarSandbox, horizon: Horizon.Server, kp: Keypair, usdc: Asset): Promise<void> {
  let acc = await horizon.loadAccount(kp.publicKey()).catch(() => null);
  if (!acc) {
    const res = await fetch(`${stellar.friendbotUrl}?addr=${kp.publicKey()}`);
    if (!res.ok) throw new Error(`could not create the Trustless Work fee account: friendbot answered ${res.status}`);
    acc = await horizon.loadAccount(kp.publicKey());
  }
  const trusts = acc.balances.some((b) => 'asset_code' in b && b.asset_code === usdc.getCode() && b.asset_issuer === usdc.getIssuer());
  if (trusts) return;
  const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: stellar.networkPassphrase })
    .addOperation(Operation.changeTrust({ asset: usdc }))
    .setTimeout(60)
    .build();
  tx.sign(kp);
  await horizon.submitTransaction(tx);
}
