import { parseRetryAfter } from '../../retry-after';

/**
 * Trustless Work's errors (current generation): RFC 9457 Problem Details with a stable `code` ("Switch on `code`. It
 * is stable and never renamed", docs.trustlesswork.com v2-en/api-rest/errors). Each documented code is classed here
 * as a refusal (a business answer: retrying the same request cannot change it) or a transient fault. A code not in
 * this list is a refusal an operator sees, never an outage retried forever. See docs/trustless-work.md, "Errors".
 */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  traceId?: string;
  extensions?: unknown;
}

/**
 * Codes worth retrying (after a wait), each by its page: generic-http/too-many-requests; stellar/stellar-rpc-unavailable
 * (500, "The Soroban RPC is unreachable … Retry with backoff; the network or provider may be degraded").
 */
const TRANSIENT = new Set(['TOO_MANY_REQUESTS', 'STELLAR_RPC_UNAVAILABLE']);

/** Documented refusals, each with its page under docs v2-en/api-rest/errors/ (the status is the page's). */
export const KNOWN_REFUSALS: Readonly<Record<string, number>> = {
  ESCROW_NOT_FOUND: 404, // escrow/escrow-not-found
  ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE: 403, // escrow/escrow-only-release-signer-can-release
  ESCROW_SIGNER_MUST_BE_APPROVER_AND_RELEASE_SIGNER: 403, // escrow/escrow-signer-must-be-approver-and-release-signer
  ESCROW_PROPERTIES_MISMATCH: 409, // escrow/escrow-properties-mismatch
  STELLAR_TX_OPERATION_FAILED: 422, // stellar/stellar-tx-operation-failed
  STELLAR_TX_UNPARSEABLE: 422, // stellar/stellar-tx-unparseable
  STELLAR_STATE_ARCHIVED: 409, // stellar/stellar-state-archived
  STELLAR_RESTORE_UNBUILDABLE: 500, // stellar/stellar-restore-unbuildable ("Report with traceId")
  AUTH_INVALID_CREDENTIAL: 401, // auth-and-api-keys/auth-invalid-credential
};

/** The body as Problem Details, or null when it is not one (then the HTTP status alone decides). */
export function problemOf(body: unknown): ProblemDetails | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(b.code) || typeof b.status !== 'number') return null;
  return b as unknown as ProblemDetails;
}

/** How a problem is handled: retried later, or refused (known: documented; unknown: for an operator to look at). */
export function classify(problem: ProblemDetails): 'transient' | 'refusal' | 'unknown-refusal' {
  if (TRANSIENT.has(problem.code)) return 'transient';
  return problem.code in KNOWN_REFUSALS || problem.code.startsWith('ESCROW_') ? 'refusal' : 'unknown-refusal';
}

/**
 * `Retry-After` (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) in milliseconds; without one, the rest of the
 * documented window: 50 requests per 60 seconds per client (docs api-rest/introduction, "Rate limits").
 */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  const WINDOW_MS = 60_000;
  return parseRetryAfter(header, now) ?? WINDOW_MS;
}
