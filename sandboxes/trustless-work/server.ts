import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listen } from '../shared/listen';
import {
  Address,
  Asset,
  FeeBumpTransaction,
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
  ESCROW_INIT_FN,
  ESCROW_WASM_HASH,
  FACTORY_FN,
  ROLE_NAMES,
  addressVal,
  contractIdFor,
  deployPreimage,
  escrowContractHandler,
  escrowToScVal,
  factoryIdFor,
  i128,
  isFinal,
  parseEscrow,
  refusal,
  serializeEscrow,
  stringVal,
  u32,
  type Call,
  type ContractError,
  type EscrowState,
  type Milestone,
  type Roles,
  type UsdcAsset,
} from './contract';

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
  /**
   * Requests allowed per API key in any 60 seconds; default the documented 50 ("Rate limits", docs
   * api-rest/introduction). Test stacks that make bursts of calls raise it.
   */
  requestsPerMinute?: number;
}

export interface TrustlessWorkSandbox {
  url: string;
  /** The account (G...) the 0.3% protocol fee is paid to. */
  feeAccount: string;
  /** The factory contract (C...) every deployment calls: what a client pins as TRUSTLESS_WORK_FACTORY_ID. */
  factoryId: string;
  /**
   * Holds the indexer back (true) or lets it catch up (false): while held, nothing enters the read model,
   * update-from-txHash answers FAILED and a deploy's send-transaction answer has no `escrow` (docs
   * v2-en/escrow-js-sdk/sendtransaction.md: `escrow?` optional, "indexer lagging").
   */
  holdIndexer(held: boolean): void;
  /** Requests with a valid key so far: let through, and refused with 429 for the rate limit. */
  requestCounts(): { admitted: number; refused: number };
  stop(): Promise<void>;
}

const FILE_FORMAT = 'offerhub-trustless-work-sandbox/1';
/** Declared Soroban resource fee of every transaction built, in stroops (the inclusion fee is 100 more). */
export const RESOURCE_FEE = 100_000;
const TX_TIMEOUT_SECONDS = 300;
const RATE_WINDOW_MS = 60_000;

interface Indexed {
  escrow: EscrowState;
  balance: bigint;
}

interface DataFile {
  format: string;
  feeAccountSecret: string;
  /** What the contracts hold on chain (the handler's mirror of their storage). */
  escrows: Array<{ escrow: string; balance: string }>;
  /** The indexer's read model: escrows as of the last transaction it ingested. */
  indexed?: Array<{ escrow: string; balance: string }>;
}

/**
 * An RFC 9457 Problem Details answer (docs v2-en/api-rest/errors: `{type, title, status, code, detail, instance,
 * traceId, extensions?}`; "Switch on `code`").
 */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Error',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** A body that fails validation. The code's name is not pinned (docs name only `extensions.errors[]` for it). */
const bad = (message: string) => new HttpError(400, 'VALIDATION_ERROR', message, { errors: [message] });
const contractError = (e: ContractError) => new HttpError(e.status, e.code, e.detail);
/** docs v2-en/api-rest/errors/escrow/escrow-not-found: 404, also "when the requested contract id is not in the read-model". */
const notFound = (contractId: string) => new HttpError(404, 'ESCROW_NOT_FOUND', `Escrow not found: ${contractId}`);

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

/**
 * A positive USDC amount, a JSON number in human units (docs v2-en/escrow-react-sdk/types "Amounts"; SDK
 * `src/types/types.payload.ts` types `amount` and `distributions[].amount` as `number`), at most 7 decimals, as
 * stroops. The number's shortest decimal text is read exactly: no float arithmetic.
 */
function amountOf(v: unknown, field: string): bigint {
  if (v === undefined || v === null || v === '') throw bad(`${field} is required`);
  if (typeof v !== 'number') throw bad(`${field} must be a number`);
  // Below 1e-6 a number prints in exponent form: read it at 7 decimals, and only when that is exactly the number.
  const text = !Number.isFinite(v) ? '' : /e/i.test(String(v)) ? (Number(v.toFixed(7)) === v ? v.toFixed(7) : '') : String(v);
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
/**
 * Starts a sandbox of Trustless Work's current REST API (v2, single-release escrows; docs/trustless-work.md) over the
 * sandbox Stellar network: endpoints return real unsigned Soroban transactions (`{unsignedXdr}`), deployments call the
 * factory contract, `/stellar/send-transaction` checks the role that signed and submits to the sandbox Horizon, and
 * the escrow contract (a host-function handler registered on `stellar`) keeps each escrow's state in its contract
 * storage and moves the USDC. The read model (`get-escrow-by-contract-ids`) is the indexer's: it knows only the
 * transactions sent through send-transaction or notified through `/indexer/update-from-txHash`. Every error is a
 * Problem Details answer with a code; every API key may make `requestsPerMinute` requests in any 60 seconds.
 */
export async function startTrustlessWorkSandbox(options: TrustlessWorkSandboxOptions): Promise<TrustlessWorkSandbox> {
  const { stellar, apiKey } = options;
  if (!apiKey) throw new Error('apiKey is required');
  const horizon = new Horizon.Server(stellar.url, { allowHttp: true });
  const passphrase = stellar.networkPassphrase;
  const usdc: UsdcAsset = { type: 'credit_alphanum4', code: stellar.usdcAsset.code, issuer: stellar.usdcAsset.issuer };
  const usdcAsset = new Asset(usdc.code, usdc.issuer);
  const usdcContractId = usdcAsset.contractId(passphrase);
  const factoryId = factoryIdFor(passphrase);
  const limit = options.requestsPerMinute ?? 50;

  const saved = options.dataFile ? loadDataFile(options.dataFile) : null;
  const feeKeys = Keypair.fromSecret(options.feeAccountSecret ?? saved?.feeAccountSecret ?? Keypair.random().secret());
  /** The contracts' storage as the handler last wrote it (what a simulation sees). */
  const chain = new Map<string, Indexed>();
  /** The indexer's read model. */
  const indexed = new Map<string, Indexed>();
  for (const e of saved?.escrows ?? []) {
    const escrow = parseEscrow(e.escrow);
    chain.set(escrow.contractId, { escrow, balance: BigInt(e.balance) });
  }
  for (const e of saved?.indexed ?? []) {
    const escrow = parseEscrow(e.escrow);
    indexed.set(escrow.contractId, { escrow, balance: BigInt(e.balance) });
  }

  const dump = (m: Map<string, Indexed>) =>
    [...m.values()].map((v) => ({ escrow: serializeEscrow(v.escrow), balance: v.balance.toString() }));
  const save = () => {
    if (!options.dataFile) return;
    const file: DataFile = { format: FILE_FORMAT, feeAccountSecret: feeKeys.secret(), escrows: dump(chain), indexed: dump(indexed) };
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
      factoryId,
      feeAccount: feeKeys.publicKey(),
      onState(escrow, balance) {
        chain.set(escrow.contractId, { escrow: structuredClone(escrow), balance });
        save();
      },
    }),
  );

  let indexerHeld = false;
  /** The indexer ingests what a transaction touched: the escrow's state on chain becomes its read model. */
  const index = (contractId: string) => {
    if (indexerHeld) return;
    const now = chain.get(contractId);
    if (!now) return;
    indexed.set(contractId, { escrow: structuredClone(now.escrow), balance: now.balance });
    save();
  };

  /**
   * Reads an escrow from its contract's storage on the network, through a `get_escrow` call paid by the fee
   * account (the handler records what it read). Reads are serialized: they share one source account.
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
          throw new HttpError(500, 'STELLAR_RPC_UNAVAILABLE', 'The Stellar network could not be reached');
        },
      );
      return ok ? chain.get(contractId) : undefined;
    });
    reads = read.catch(() => undefined);
    return read;
  };

  /** The escrow as a simulation sees it: its contract's storage. */
  const find = async (contractId: string): Promise<Indexed> => {
    const found = chain.get(contractId) ?? (await readOnChain(contractId));
    if (!found) throw notFound(contractId);
    return found;
  };

  const check = async (contractId: string, call: Call, caller: string) => {
    const { escrow, balance } = await find(contractId);
    const why = refusal(escrow, balance, call, caller);
    if (why) throw contractError(why);
  };

  /** An unsigned transaction from `source` with one invokeHostFunction operation. */
  const build = async (source: string, op: xdr.Operation): Promise<Transaction> => {
    let acc;
    try {
      acc = await horizon.loadAccount(source);
    } catch (err) {
      if ((err as { response?: { status?: number } }).response?.status === 404)
        throw bad(`The account ${source} does not exist on the network`);
      throw new HttpError(500, 'STELLAR_RPC_UNAVAILABLE', 'The Stellar network could not be reached');
    }
    return new TransactionBuilder(acc, { fee: '100', networkPassphrase: passphrase })
      .addOperation(op)
      .setSorobanData(new SorobanDataBuilder().setResourceFee(RESOURCE_FEE).build())
      .setTimeout(TX_TIMEOUT_SECONDS)
      .build();
  };
  /** Write endpoints answer the unsigned XDR (docs v2-en/api-rest/deploy/*: "Unsigned XDR built successfully"). */
  const unsigned = async (source: string, op: xdr.Operation) => ({ unsignedXdr: (await build(source, op)).toXDR() });

  const invoke = (contract: string, fn: string, args: xdr.ScVal[]) => Operation.invokeContractFunction({ contract, function: fn, args });

  /** The escrow contract an escrow transaction touches: the factory's new escrow, or the escrow called. */
  const touched = (tx: Transaction): string | null => {
    if (tx.operations.length !== 1 || tx.operations[0]!.type !== 'invokeHostFunction') return null;
    const fn = (tx.operations[0] as Operation.InvokeHostFunction).func;
    if (fn.switch().name !== 'hostFunctionTypeInvokeContract') return null;
    const call = fn.invokeContract();
    const contractId = Address.fromScAddress(call.contractAddress()).toString();
    if (contractId !== factoryId) return contractId;
    const args = call.args();
    if (args.length !== 6 || args[2]!.switch().name !== 'scvBytes') return null;
    return contractIdFor(passphrase, deployPreimage(Address.fromScVal(args[0]!).toString(), Buffer.from(args[2]!.bytes())));
  };

  const S = '/escrow/single-release/v2';
  const routes: Record<string, (body: Body) => Promise<unknown>> = {
    // docs v2-en/api-rest/deploy/initialize-escrow.md; SDK types.payload.ts InitializeSingleReleaseEscrowPayload.
    [`POST ${S}/deploy`]: async (body) => {
      const signer = account(body, 'signer');
      const engagementId = str(body, 'engagementId');
      const title = str(body, 'title');
      const description = str(body, 'description');
      const rolesBody = body.roles;
      if (!rolesBody || typeof rolesBody !== 'object') throw bad('roles is required');
      const roles = {} as Roles;
      for (const r of ROLE_NAMES) roles[r] = account(rolesBody as Body, r, `roles.${r}`);
      const amount = amountOf(body.amount, 'amount');
      // platformFee: a number, percent (docs: `platformFee` number, e.g. 2.5); the contract holds basis points (u32).
      if (body.platformFee === undefined || body.platformFee === null) throw bad('platformFee is required');
      if (typeof body.platformFee !== 'number') throw bad('platformFee must be a number');
      const feeText = String(body.platformFee);
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
      // trustline: `{address}` (SDK types.entity.ts Trustline; contract storage/types.rs Trustline { address }).
      const trustline = body.trustline as Body | undefined;
      if (!trustline || typeof trustline !== 'object') throw bad('trustline is required');
      if (trustline.address !== usdc.issuer && trustline.address !== usdcContractId) {
        throw bad(`trustline.address must be the USDC token contract (${usdcContractId}) or its issuer (${usdc.issuer})`);
      }
      const receiverMemo = body.receiverMemo ?? 0;
      if (typeof receiverMemo !== 'number' || !Number.isSafeInteger(receiverMemo) || receiverMemo < 0)
        throw bad('receiverMemo must be a non-negative integer');

      const acc = await horizon.loadAccount(signer).catch(() => null);
      if (!acc) throw bad(`The account ${signer} does not exist on the network`);
      // Deterministic: the same signer, engagement and sequence number give the same salt, hence the same contract id.
      const salt = crypto.createHash('sha256').update(`${engagementId}\n${acc.sequenceNumber()}`).digest();
      const escrow = escrowToScVal({
        engagementId,
        title,
        description,
        roles,
        amount,
        platformFeeBps,
        milestones,
        flags: { disputed: false, released: false, resolved: false },
        trustline: { address: trustline.address as string },
        receiverMemo,
      });
      // The factory call (Indexer escrow_parser.go ParseSingleReleaseEscrowArgs): deployer, wasm_hash, salt, init_fn,
      // init_args (the escrow), constructor_args (empty).
      const op = invoke(factoryId, FACTORY_FN, [
        addressVal(signer),
        xdr.ScVal.scvBytes(ESCROW_WASM_HASH),
        xdr.ScVal.scvBytes(salt),
        xdr.ScVal.scvSymbol(ESCROW_INIT_FN),
        xdr.ScVal.scvVec([escrow]),
        xdr.ScVal.scvVec([]),
      ]);
      // The contract id is predicted from (network, deployer, salt) (Indexer escrow_parser.go deriveContractID).
      const contractId = contractIdFor(passphrase, deployPreimage(signer, salt));
      if (chain.has(contractId)) throw new HttpError(409, 'ESCROW_ALREADY_EXISTS', `An escrow already exists at ${contractId}`);
      const tx = await build(signer, op);
      return { unsignedXdr: tx.toXDR(), txHash: tx.hash().toString('hex'), contractId };
    },

    // SDK types.payload.ts FundEscrowPayload: contractId, signer, amount (number).
    [`POST ${S}/fund-escrow`]: async (body) => {
      const contractId = contractIdOf(body);
      const signer = account(body, 'signer');
      const amount = amountOf(body.amount, 'amount');
      await check(contractId, { fn: 'fund_escrow', signer, amount }, signer);
      return unsigned(signer, invoke(contractId, 'fund_escrow', [addressVal(signer), i128(amount)]));
    },

    // SDK types.payload.ts ChangeMilestoneStatusPayload.
    [`POST ${S}/change-milestone-status`]: async (body) => {
      const contractId = contractIdOf(body);
      const milestoneIndex = milestoneIndexOf(body);
      const newStatus = str(body, 'newStatus');
      const newEvidence = str(body, 'newEvidence', { optional: true, allowEmpty: true });
      const serviceProvider = account(body, 'serviceProvider');
      await check(contractId, { fn: 'change_milestone_status', milestoneIndex, newStatus, newEvidence, serviceProvider }, serviceProvider);
      const args = [u32(milestoneIndex), stringVal(newStatus), stringVal(newEvidence), addressVal(serviceProvider)];
      return unsigned(serviceProvider, invoke(contractId, 'change_milestone_status', args));
    },

    // SDK 2.0.8 types.payload.ts ApproveMilestonePayload: contractId, milestoneIndex, approver ("remove newFlag").
    [`POST ${S}/approve-milestone`]: async (body) => {
      const contractId = contractIdOf(body);
      const milestoneIndex = milestoneIndexOf(body);
      const approver = account(body, 'approver');
      await check(contractId, { fn: 'approve_milestone', milestoneIndex, newFlag: true, approver }, approver);
      const args = [u32(milestoneIndex), xdr.ScVal.scvBool(true), addressVal(approver)];
      return unsigned(approver, invoke(contractId, 'approve_milestone', args));
    },

    // SDK types.payload.ts SingleReleaseReleaseFundsPayload.
    [`POST ${S}/release-funds`]: async (body) => {
      const contractId = contractIdOf(body);
      const releaseSigner = account(body, 'releaseSigner');
      await check(contractId, { fn: 'release_funds', releaseSigner, trustlessWorkAddress: feeKeys.publicKey() }, releaseSigner);
      return unsigned(releaseSigner, invoke(contractId, 'release_funds', [addressVal(releaseSigner), addressVal(feeKeys.publicKey())]));
    },

    // docs v2-en/api-rest/deploy/change-dispute-flag.md (live spec): POST /escrow/single-release/v2/dispute.
    [`POST ${S}/dispute`]: async (body) => {
      const contractId = contractIdOf(body);
      const signer = account(body, 'signer');
      await check(contractId, { fn: 'dispute_escrow', signer }, signer);
      return unsigned(signer, invoke(contractId, 'dispute_escrow', [addressVal(signer)]));
    },

    // docs v2-en/api-rest/deploy/resolving-disputes.md; SDK SingleReleaseResolveDisputePayload (amounts: numbers).
    [`POST ${S}/resolve-dispute`]: async (body) => {
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
      return unsigned(
        disputeResolver,
        invoke(contractId, 'resolve_dispute', [addressVal(disputeResolver), addressVal(feeKeys.publicKey()), map]),
      );
    },

    // docs v2-en/api-rest/stellar/send-transaction ("Forwards the signed transaction to Horizon"): a contract call
    // answers {txHash, ledger, code: "STELLAR_TX_SUBMITTED", message}; a factory deploy {txHash, ledger, contractId, escrow}.
    'POST /stellar/send-transaction': async (body) => {
      // (docs: the API forwards the transaction as signed; it builds nothing and signs nothing.)
      const signedXdr = str(body, 'signedXdr');
      const unparseable = (detail: string) => new HttpError(422, 'STELLAR_TX_UNPARSEABLE', detail);
      let tx: Transaction;
      try {
        const decoded = TransactionBuilder.fromXDR(signedXdr, passphrase);
        if (!(decoded instanceof Transaction)) throw unparseable('signedXdr must be a transaction, not a fee bump');
        tx = decoded;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw unparseable('signedXdr is not a valid transaction envelope');
      }
      if (tx.operations.length !== 1 || tx.operations[0]!.type !== 'invokeHostFunction') {
        throw unparseable('The transaction must hold exactly one invokeHostFunction operation');
      }
      // Nothing else is checked here: the network checks the signatures and the contract its rules (a refusal comes
      // back as STELLAR_TX_OPERATION_FAILED with the result codes).
      const contractId = touched(tx);
      if (!contractId) throw unparseable('The transaction must call a contract');
      const called = (tx.operations[0] as Operation.InvokeHostFunction).func.invokeContract().contractAddress();
      const deploy = Address.fromScAddress(called).toString() === factoryId;

      const res = await fetch(`${stellar.url}/transactions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ tx: signedXdr }).toString(),
      }).catch(() => null);
      if (!res) throw new HttpError(500, 'STELLAR_RPC_UNAVAILABLE', 'The transaction could not be sent to the Stellar network');
      const json = (await res.json().catch(() => ({}))) as {
        successful?: boolean;
        hash?: string;
        ledger?: number;
        extras?: { hash?: string; result_codes?: unknown };
      };
      if (!res.ok || json.successful === false) {
        if (res.status >= 500) throw new HttpError(500, 'STELLAR_RPC_UNAVAILABLE', 'The Stellar network could not be reached');
        const codes = json?.extras?.result_codes;
        const hash = json?.extras?.hash ?? json?.hash;
        // docs v2-en/api-rest/errors/stellar/stellar-tx-operation-failed (422).
        throw new HttpError(422, 'STELLAR_TX_OPERATION_FAILED', 'The transaction failed on the Stellar network', {
          ...(codes ? { resultCodes: codes } : {}),
          ...(hash ? { txHash: hash } : {}),
        });
      }
      index(contractId);
      const found = indexed.get(contractId);
      if (deploy) return { txHash: json.hash, ledger: json.ledger, contractId, ...(found ? { escrow: view(found) } : {}) };
      return { txHash: json.hash, ledger: json.ledger, code: 'STELLAR_TX_SUBMITTED', message: 'The transaction was submitted.' };
    },

    // SDK src/client.ts updateFromTxHash, types.response.ts UpdateFromTxHashResponse {status, message}: the indexer
    // ingests a transaction submitted elsewhere.
    'POST /indexer/update-from-txHash': async (body) => {
      const txHash = str(body, 'txHash');
      if (!/^[0-9a-f]{64}$/i.test(txHash)) throw bad('txHash must be a transaction hash (64 hex digits)');
      if (indexerHeld) return { status: 'FAILED', message: 'The indexer has not caught up with the network yet' };
      const res = await fetch(`${stellar.url}/transactions/${txHash.toLowerCase()}`).catch(() => null);
      if (!res) throw new HttpError(500, 'STELLAR_RPC_UNAVAILABLE', 'The Stellar network could not be reached');
      if (res.status === 404) return { status: 'FAILED', message: `The transaction ${txHash} is not on the network` };
      const record = (await res.json()) as { successful?: boolean; envelope_xdr?: string };
      if (!record.successful || !record.envelope_xdr) return { status: 'FAILED', message: `The transaction ${txHash} did not succeed` };
      const decoded = TransactionBuilder.fromXDR(record.envelope_xdr, passphrase);
      const inner = decoded instanceof FeeBumpTransaction ? decoded.innerTransaction : decoded;
      const contractId = touched(inner);
      if (!contractId || !(chain.has(contractId) || (await readOnChain(contractId))))
        return { status: 'FAILED', message: `The transaction ${txHash} touches no escrow` };
      index(contractId);
      return { status: 'SUCCESS', message: `The escrow ${contractId} was updated from ${txHash}` };
    },
  };

  // docs escrow-react-sdk/indexer/usegetescrowfromindexerbycontractids: the read model; validateOnChain=true reads
  // the contracts again. Ids the read model does not hold are left out; none known at all is ESCROW_NOT_FOUND.
  const getEscrows = async (url: URL) => {
    const ids = [...url.searchParams.getAll('contractIds[]'), ...url.searchParams.getAll('contractIds')]
      .flatMap((v) => v.split(','))
      .filter(Boolean);
    if (ids.length === 0) throw bad('contractIds is required');
    for (const id of ids) if (!StrKey.isValidContract(id)) throw bad(`contractIds: ${id} is not a valid contract address`);
    const validate = url.searchParams.get('validateOnChain') === 'true';
    const found: Indexed[] = [];
    for (const id of ids) {
      const one = validate ? await readOnChain(id) : indexed.get(id);
      if (one) found.push(one);
    }
    if (found.length === 0) throw notFound(ids.join(', '));
    return found.map(view);
  };

  /** Sliding 60-second window of request times per API key (docs api-rest/introduction "Rate limits"). */
  const seen = new Map<string, number[]>();
  const counts = { admitted: 0, refused: 0 };
  const admit = (key: string): number | null => {
    const now = Date.now();
    const times = (seen.get(key) ?? []).filter((t) => t > now - RATE_WINDOW_MS);
    seen.set(key, times);
    if (times.length >= limit) {
      counts.refused++;
      return Math.max(1, Math.ceil((times[0]! + RATE_WINDOW_MS - now) / 1000));
    }
    times.push(now);
    counts.admitted++;
    return null;
  };

  const server = http.createServer((req, res) => {
    const traceId = crypto.randomBytes(8).toString('hex');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    };
    const fail = (err: unknown, instance: string, headers: Record<string, string> = {}) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      send(
        e.statusCode,
        {
          type: `https://docs.trustlesswork.com/trustless-work/v2-en/api-rest/errors/${e.code.toLowerCase().replace(/_/g, '-')}`,
          title: TITLES[e.statusCode] ?? 'Error',
          status: e.statusCode,
          code: e.code,
          detail: e.message,
          instance,
          traceId,
          ...(e.extensions ? { extensions: e.extensions } : {}),
        },
        headers,
      );
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const instance = url.pathname;
      void (async () => {
        try {
          const key = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
          const known = key === 'GET /helper/get-escrow-by-contract-ids' || key in routes;
          if (!known) throw new HttpError(404, 'NOT_FOUND', `Cannot ${req.method} ${url.pathname}`);
          // docs v2-en/api-rest/errors/auth-and-api-keys/auth-invalid-credential (401).
          const given = req.headers['x-api-key'];
          if (typeof given !== 'string' || !safeEqual(given, apiKey))
            throw new HttpError(401, 'AUTH_INVALID_CREDENTIAL', 'The API key is missing or invalid');
          // docs v2-en/api-rest/errors/generic-http/too-many-requests (429); Retry-After per RFC 6585 §4.
          const wait = admit(given);
          if (wait !== null)
            return fail(new HttpError(429, 'TOO_MANY_REQUESTS', `More than ${limit} requests in 60 seconds`), instance, {
              'Retry-After': String(wait),
            });
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
          fail(err, instance);
        }
      })();
    });
  });
  const url = await listen(server, options.port, options.host);
  let stopped: Promise<void> | null = null;
  return {
    url,
    feeAccount: feeKeys.publicKey(),
    factoryId,
    holdIndexer(held) {
      indexerHeld = held;
    },
    requestCounts: () => ({ ...counts }),
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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
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
