import fc from 'fast-check';
import { ERROR_STATUS } from '../../../src/errors';
import { ONRAMP_ERRORS } from '../../../src/onramp/onramp-state';
import { describeApi } from './operations';
import { type Fixtures, type FuzzRequest, requestFor } from './requests';
import { diffSnapshots, type StateSnapshot } from './state';

export interface FuzzTarget {
  baseUrl: string;
  /** The API's OpenAPI document, as it serves it. */
  doc: unknown;
  fixtures: Fixtures;
  snapshot(): Promise<StateSnapshot>;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Requests between two state snapshots (a difference is reported with every request of its batch). */
  batch: number;
  /** How long one request may take before it counts as a hang. */
  timeoutMs?: number;
  progress?: (done: number) => void;
}

export interface FuzzFailure {
  /** Position in the run: with the seed, enough to generate the same request again (generate()). */
  index: number;
  problem: string;
  request: string;
}

export interface FuzzReport {
  seed: number;
  batch: number;
  requests: number;
  operations: number;
  /** operation → status → count */
  byOperation: Record<string, Record<number, number>>;
  byStatus: Record<number, number>;
  byDefect: Record<string, number>;
  failures: FuzzFailure[];
  elapsedMs: number;
}

/** A request as a line a person can replay by hand (bodies cut at 300 bytes). */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body ? ` body(${r.body.length} B)=${JSON.stringify(r.body.subarray(0, 300).toString('latin1'))}` : '';
  return `${r.method} ${r.url.slice(0, 400)} as ${r.auth} defects=[${r.defects.join(',')}] headers=${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}

/**
 * What the JSON body stage refuses before anyone is authenticated (docs/ARCHITECTURE.md, pipeline order): a body that
 * is not application/json, larger than the limit, not UTF-8, not JSON, or with a NUL or an unpaired surrogate in any
 * string. A request carrying such a body may be refused 400 for it instead of 401/403.
 */
function refusedBeforeAuthentication(r: FuzzRequest): boolean {
  if (!r.body) return false;
  if (r.headers['content-encoding']) return true; // only identity bodies are read
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(r.headers['content-type'] ?? '')) return true;
  if (r.body.length > 102_400) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.body));
  } catch {
    return true;
  }
  const bad = (v: unknown): boolean =>
    typeof v === 'string'
      ? v.includes('\u0000') || !v.isWellFormed()
      : Array.isArray(v)
        ? v.some(bad)
        : v !== null && typeof v === 'object'
          ? Object.entries(v).some(([k, x]) => bad(k) || bad(x))
          : false;
  return parsed === null || typeof parsed !== 'object' || bad(parsed);
}

/**
 * A path or method that matches no route is 404 NOT_FOUND, a path whose percent-encoding is not UTF-8 400, both before
 * authentication.
 */
function refusedBeforeRouting(r: FuzzRequest, code: string): boolean {
  if (r.defects.includes('undocumented-method') && code === 'NOT_FOUND') return true;
  if (r.defects.includes('huge-headers') && code === 'VALIDATION_ERROR') return true;
  return r.defects.includes('hostile-id') && (code === 'NOT_FOUND' || code === 'VALIDATION_ERROR');
}

/** The codes a provider that cannot be reached answers with (every provider of the fuzz target is unreachable). */
const UNREACHABLE_PROVIDER = new Set(['PROVIDER_ERROR', 'PROVIDER_TIMEOUT', 'SERVICE_UNAVAILABLE']);

/**
 * The on-ramp's routes refuse in document 003's envelope (`{success: false, message, responseObject: {errorCode,
 * errorMessage, canRetry, details?}}`), the shared pipeline's refusals included: read here as ours, so that the same
 * checks apply, or null when the body is not that envelope. Its own codes (ONRAMP_ERRORS) carry their status and
 * `canRetry`; the pipeline's say `canRetry` only for a rate limit or a fault.
 */
function asOurEnvelope(r: FuzzRequest, status: number, parsed: any): any {
  // Headers over Node's limit are refused before any route is known (api/http/client-errors.ts): ours, everywhere.
  if (!r.operation.includes(' /api/v1/onramp/') || (r.defects.includes('huge-headers') && parsed?.error)) return parsed;
  const o = parsed?.responseObject;
  if (parsed?.success !== false || typeof parsed.message !== 'string' || typeof o?.errorMessage !== 'string') return null;
  const own = (ONRAMP_ERRORS as Record<string, { status: number; canRetry: boolean }>)[o.errorCode];
  if (o.canRetry !== (own ? own.canRetry : status === 429 || status >= 500) || (own && own.status !== status)) return null;
  return { error: { code: o.errorCode, message: o.errorMessage, details: o.details ?? {} }, ownCode: Boolean(own) };
}

/** What is wrong with an answer (null when nothing is). */
function judge(r: FuzzRequest, status: number, headers: Headers, text: string, codes: Set<string>): string | null {
  if (!headers.get('x-request-id')) return `answered ${status} without X-Request-ID`;
  if (status >= 400) {
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
    }
    parsed = asOurEnvelope(r, status, parsed);
    if (!parsed) return `answered ${status} without document 003's envelope: ${text.slice(0, 200)}`;
    // A valid request that had to ask a provider may find it unreachable (by design here): a 5xx in the envelope
    // naming the provider, nothing else. Every other 5xx is a defect.
    const valid = r.defects.length === 0 && !r.authDefect;
    if (status >= 500 && !(valid && UNREACHABLE_PROVIDER.has(parsed?.error?.code))) return `answered ${status}: ${text.slice(0, 300)}`;
    const e = parsed?.error;
    if (
      !e ||
      typeof e.code !== 'string' ||
      typeof e.message !== 'string' ||
      typeof e.details !== 'object' ||
      e.details === null ||
      Array.isArray(e.details)
    )
      return `answered ${status} without the error envelope: ${text.slice(0, 200)}`;
    if (!codes.has(e.code) && !parsed.ownCode) return `answered ${status} with code ${e.code}, not in the document's closed set`;
    const expected = (ERROR_STATUS as Record<string, number>)[e.code];
    if (expected !== undefined && expected !== status) return `answered ${status} with code ${e.code}, which is ${expected}`;
    if (
      r.authDefect &&
      ![401, 403, 429].includes(status) &&
      !refusedBeforeRouting(r, e.code) &&
      !(e.code === 'VALIDATION_ERROR' && refusedBeforeAuthentication(r))
    )
      return `asked as ${r.auth}, answered ${status} ${e.code}, not 401/403`;
    return null;
  }
  if (r.authDefect) return `asked as ${r.auth}, answered ${status}`;
  if (r.method !== 'GET') return `a request with defects [${r.defects.join(', ')}] was accepted: ${status} ${text.slice(0, 200)}`;
  return null;
}

async function send(baseUrl: string, r: FuzzRequest, tokens: Fixtures['tokens'], timeoutMs: number) {
  const headers: Record<string, string> = { ...r.headers };
  if (r.auth !== 'none' && r.auth !== 'malformed') headers.authorization = `Bearer ${tokens[r.auth]}`;
  const res = await fetch(`${baseUrl}${r.url}`, { method: r.method, headers, body: r.body, signal: AbortSignal.timeout(timeoutMs) });
  // An event stream (GET /events accepted) never ends: its status and headers are the answer.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, headers: res.headers, text: '' };
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * Sends `runs` requests generated from the OpenAPI document, one at a time, each carrying at least one defect
 * (requests.ts), and checks every answer (judge) and that nothing changed: a state snapshot is taken before each batch
 * and compared after it. Only GETs may be answered 2xx (a defect in a filter may be a valid filter after all); reads
 * change nothing either way. Request i goes to operation i mod n (every operation gets its share) and is drawn from its
 * own seed, so request i of seed s is the same request in any run of any length.
 */
export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const api = describeApi(target.doc);
  const arbitraries = api.operations
    .map((op) => requestFor(op, api, target.fixtures))
    .filter((a): a is fc.Arbitrary<FuzzRequest> => a !== null);
  const report: FuzzReport = {
    seed: opts.seed,
    batch: opts.batch,
    requests: 0,
    operations: arbitraries.length,
    byOperation: {},
    byStatus: {},
    byDefect: {},
    failures: [],
    elapsedMs: 0,
  };
  let before = await target.snapshot();
  for (let b = 0; report.requests < opts.runs; b++) {
    const first = report.requests;
    const batch = Array.from({ length: Math.min(opts.batch, opts.runs - first) }, (_, k) => generate(arbitraries, opts.seed, first + k));
    for (const r of batch) {
      const index = report.requests++;
      let problem: string | null;
      let status = 0;
      try {
        const res = await send(target.baseUrl, r, target.fixtures.tokens, opts.timeoutMs ?? 30_000);
        status = res.status;
        problem = judge(r, res.status, res.headers, res.text, api.errorCodes);
      } catch (err) {
        problem = `no answer: ${err instanceof Error ? `${err.name} ${err.message}` : String(err)}`;
      }
      const perOp = (report.byOperation[r.operation] ??= {});
      perOp[status] = (perOp[status] ?? 0) + 1;
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      for (const d of r.defects) report.byDefect[d] = (report.byDefect[d] ?? 0) + 1;
      if (problem) report.failures.push({ index, problem, request: describeRequest(r) });
    }
    if (report.requests >= opts.runs) await new Promise((resolve) => setTimeout(resolve, 500)); // let visibility catch up
    // The fuzz target runs in this process (target.ts): a request that polluted Object.prototype shows here.
    if ('polluted' in {})
      report.failures.push({ index: first, problem: 'Object.prototype was polluted', request: batch.map(describeRequest).join('\n') });
    const after = await target.snapshot();
    const changed = diffSnapshots(before, after);
    if (changed.length) {
      report.failures.push({
        index: first,
        problem: `state changed during requests ${first}…${report.requests - 1}: ${changed.join('; ')}`,
        request: batch.map((r, i) => `#${first + i} ${describeRequest(r)}`).join('\n'),
      });
    }
    before = after;
    opts.progress?.(report.requests);
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** Request `index` of the run with this seed. */
export function generate(arbitraries: Array<fc.Arbitrary<FuzzRequest>>, seed: number, index: number): FuzzRequest {
  return fc.sample(arbitraries[index % arbitraries.length], { seed: (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0, numRuns: 1 })[0];
}

/** The report as a table: requests by operation and status, then by defect, then failures. */
export function formatReport(r: FuzzReport): string {
  const statuses = Object.keys(r.byStatus)
    .map(Number)
    .sort((a, b) => a - b);
  const width = Math.max(...Object.keys(r.byOperation).map((k) => k.length), 9);
  const lines = [
    `fuzz: ${r.requests} requests over ${r.operations} operations in ${(r.elapsedMs / 1000).toFixed(1)} s (seed ${r.seed}, batch ${r.batch}), ${r.failures.length} failures`,
    `${'operation'.padEnd(width)} ${statuses.map((s) => String(s).padStart(6)).join('')}`,
  ];
  for (const [op, counts] of Object.entries(r.byOperation).sort())
    lines.push(`${op.padEnd(width)} ${statuses.map((s) => String(counts[s] ?? '').padStart(6)).join('')}`);
  lines.push(`${'total'.padEnd(width)} ${statuses.map((s) => String(r.byStatus[s]).padStart(6)).join('')}`);
  lines.push(
    `defects: ${Object.entries(r.byDefect)
      .sort(([, a], [, b]) => b - a)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ')}`,
  );
  for (const f of r.failures) lines.push(`FAIL #${f.index}: ${f.problem}\n  ${f.request.replace(/\n/g, '\n  ')}`);
  return lines.join('\n');
}
