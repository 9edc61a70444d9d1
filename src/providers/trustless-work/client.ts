import { withTimeout } from '../../async';
import type { Config } from '../../config';
import { ProviderRefusal, ProviderUnavailable } from '../provider-errors';
import { classify, problemOf, retryAfterMs } from './problems';

/** Trustless Work refused the request (its Problem Details code in `code`): see ProviderRefusal. */
export class TrustlessWorkRefusal extends ProviderRefusal {
  override name = 'TrustlessWorkRefusal';
}

/** Trustless Work could not be reached or failed (timeout, 5xx without a code, 429): retry later. */
export class TrustlessWorkUnavailable extends ProviderUnavailable {
  override name = 'TrustlessWorkUnavailable';
}

export interface Roles {
  approver: string;
  serviceProvider: string;
  platformAddress: string;
  releaseSigner: string;
  disputeResolver: string;
  receiver: string;
}

/**
 * The deploy body (docs v2-en/api-rest/deploy/initialize-escrow.md; SDK `src/types/types.payload.ts`
 * `InitializeSingleReleaseEscrowPayload`). Amounts are JSON numbers in human units; `platformFee` is a percent.
 */
export interface DeployRequest {
  signer: string;
  engagementId: string;
  title: string;
  description: string;
  roles: Roles;
  amount: number;
  platformFee: number;
  milestones: Array<{ description: string }>;
  /** The token: `{address}` only (SDK `src/types/types.entity.ts` `Trustline`). */
  trustline: { address: string };
}

/** What every write endpoint answers: the unsigned transaction (docs v2-en/api-rest/deploy/*). */
export interface Unsigned {
  unsignedXdr: string;
}

/** The deploy answer: `contractId` is the id the escrow will have, predicted from (deployer, salt). */
export interface UnsignedDeploy extends Unsigned {
  txHash: string;
  contractId: string;
}

/** docs v2-en/api-rest/stellar/send-transaction: a contract call's or a factory deploy's answer. */
export interface SendResult {
  txHash: string;
  ledger?: number;
  code?: string;
  message?: string;
  contractId?: string;
  escrow?: unknown;
}

/** SDK `src/types/types.response.ts` `UpdateFromTxHashResponse`. */
export interface UpdateFromTxHashResult {
  status: 'SUCCESS' | 'FAILED';
  message: string;
}

const V2 = '/escrow/single-release/v2';

/**
 * The Trustless Work REST API, current generation (v2 single-release escrows; docs/trustless-work.md), at a URL from
 * configuration; `x-api-key` on every call.
 */
export class TrustlessWorkClient {
  constructor(
    private readonly opts: {
      baseUrl: string;
      apiKey: string;
      timeoutMs?: number;
      /** A 429 whose Retry-After is at most this long (default: the 60 s window) is waited out and the call made again, once. */
      maxRateLimitWaitMs?: number;
      /** The factory contract pinned for our network (TRUSTLESS_WORK_FACTORY_ID): deployments must call it. */
      factoryId?: string;
    },
  ) {}

  /** The pinned factory contract, or null when none is configured (deployments are then refused). */
  get factoryId(): string | null {
    return this.opts.factoryId ?? null;
  }

  deploySingleRelease(body: DeployRequest): Promise<UnsignedDeploy> {
    return this.post(`${V2}/deploy`, body);
  }
  fundEscrow(body: { contractId: string; signer: string; amount: number }): Promise<Unsigned> {
    return this.post(`${V2}/fund-escrow`, body);
  }
  changeMilestoneStatus(body: {
    contractId: string;
    milestoneIndex: string;
    newStatus: string;
    newEvidence?: string;
    serviceProvider: string;
  }): Promise<Unsigned> {
    return this.post(`${V2}/change-milestone-status`, body);
  }
  approveMilestone(body: { contractId: string; milestoneIndex: string; approver: string }): Promise<Unsigned> {
    return this.post(`${V2}/approve-milestone`, body);
  }
  releaseFunds(body: { contractId: string; releaseSigner: string }): Promise<Unsigned> {
    return this.post(`${V2}/release-funds`, body);
  }
  /** docs v2-en/api-rest/deploy/change-dispute-flag.md (live spec): `POST /escrow/single-release/v2/dispute`. */
  disputeEscrow(body: { contractId: string; signer: string }): Promise<Unsigned> {
    return this.post(`${V2}/dispute`, body);
  }
  resolveDispute(body: {
    contractId: string;
    disputeResolver: string;
    distributions: Array<{ address: string; amount: number }>;
  }): Promise<Unsigned> {
    return this.post(`${V2}/resolve-dispute`, body);
  }
  sendTransaction(signedXdr: string): Promise<SendResult> {
    return this.post('/stellar/send-transaction', { signedXdr });
  }
  /** Tells the indexer about a transaction submitted elsewhere (SDK `src/client.ts` `updateFromTxHash`). */
  updateFromTxHash(txHash: string): Promise<UpdateFromTxHashResult> {
    return this.post('/indexer/update-from-txHash', { txHash });
  }
  async getEscrows(contractIds: string[], opts: { validateOnChain?: boolean } = {}): Promise<unknown[]> {
    const qs =
      contractIds.map((id) => `contractIds[]=${encodeURIComponent(id)}`).join('&') + (opts.validateOnChain ? '&validateOnChain=true' : '');
    return this.request('GET', `/helper/get-escrow-by-contract-ids?${qs}`);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request('POST', path, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, waited = false): Promise<T> {
    let res: Response;
    try {
      res = await withTimeout(
        fetch(`${this.opts.baseUrl}${path}`, {
          method,
          headers: { 'x-api-key': this.opts.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
        this.opts.timeoutMs ?? 30_000,
        `Trustless Work ${path}`,
      );
    } catch (err) {
      throw new TrustlessWorkUnavailable(`Trustless Work ${path} could not be reached: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    if (res.ok) return parsed as T;

    // 429 (TOO_MANY_REQUESTS, or a bare 429): wait what Retry-After asks, once, when that fits; else retry later.
    if (res.status === 429) {
      const waitMs = retryAfterMs(res.headers.get('retry-after'));
      if (!waited && waitMs <= (this.opts.maxRateLimitWaitMs ?? 60_000)) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        return this.request(method, path, body, true);
      }
      throw new TrustlessWorkUnavailable(`Trustless Work ${path} answered 429: retry after ${waitMs} ms`, waitMs);
    }
    const problem = problemOf(parsed);
    if (problem) {
      const kind = classify(problem);
      const what = `${problem.code}${problem.detail ? `: ${problem.detail}` : ''}${problem.traceId ? ` (trace ${problem.traceId})` : ''}`;
      if (kind === 'transient') throw new TrustlessWorkUnavailable(`Trustless Work ${path} answered ${res.status} ${what}`);
      throw new TrustlessWorkRefusal(
        res.status,
        kind === 'refusal' ? what : `unknown Trustless Work code ${what}`,
        parsed,
        problem.code,
        kind === 'refusal',
      );
    }
    if (res.status >= 500) throw new TrustlessWorkUnavailable(`Trustless Work ${path} answered ${res.status}`);
    const message = (parsed as { message?: unknown })?.message;
    throw new TrustlessWorkRefusal(
      res.status,
      typeof message === 'string' ? message : `Trustless Work ${path} answered ${res.status}`,
      parsed,
    );
  }
}

/** The client the configuration describes, or null when no API key is configured. */
export function trustlessWorkFromConfig(
  config: Pick<Config, 'TRUSTLESS_WORK_URL' | 'TRUSTLESS_WORK_API_KEY' | 'TRUSTLESS_WORK_TIMEOUT_MS' | 'TRUSTLESS_WORK_FACTORY_ID'>,
): TrustlessWorkClient | null {
  return config.TRUSTLESS_WORK_API_KEY
    ? new TrustlessWorkClient({
        baseUrl: config.TRUSTLESS_WORK_URL,
        apiKey: config.TRUSTLESS_WORK_API_KEY,
        timeoutMs: config.TRUSTLESS_WORK_TIMEOUT_MS,
        factoryId: config.TRUSTLESS_WORK_FACTORY_ID,
      })
    : null;
}
