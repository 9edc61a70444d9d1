/**
 * How a chaos lifecycle talks to the stack: a client that tells "the product answered" from "not reachable now".
 * A request is sent again, with the same Idempotency-Key and the same body, while the API is down (ECONNREFUSED, a
 * socket hang up, no answer within REQUEST_TIMEOUT_MS), answers a fault (500, 502, 503, 504), is over a rate limit
 * (429, after its Retry-After) or still runs the first copy (409 IDEMPOTENCY_KEY_IN_PROGRESS: a dead API's claim is
 * taken over after two minutes), until a definite answer or the lifecycle's deadline. Any other answer outside what
 * the step expects is the product's refusal: the lifecycle stops there with the status and the body.
 */
import crypto from 'node:crypto';
import type { ChaosEndpoints, LifecycleContext } from '../types';

export interface Answer {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

/** A definite answer the lifecycle did not expect (the product refused, or a sandbox did). */
export class Refused extends Error {}

const REQUEST_TIMEOUT_MS = 60_000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 3_000;
const RETRY_AFTER_MAX_MS = 10_000;
/** Between two reads of a resource that is on its way: K lifecycles of every kind poll at once. */
const POLL_MS = 1000;
/** A request still failing after this many attempts is logged (then every 20th), not each fault. */
const LOG_FROM_ATTEMPT = 5;
const IN_TURN_PAUSE_MS = 1000;

export interface SendOptions {
  body?: unknown;
  /** Which key signs it (default `write`). */
  as?: keyof ChaosEndpoints['keys'];
  /** The statuses that end the request (default: any 2xx). */
  accept?: (status: number) => boolean;
  /** The Idempotency-Key of a POST (default: a fresh one, kept across its retries). */
  idempotencyKey?: string;
}

export type Api = ReturnType<typeof chaosClient>;

export function chaosClient(ctx: LifecycleContext, startedAt = Date.now()) {
  const { endpoints } = ctx;
  const deadline = startedAt + ctx.deadlineMs;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const left = () => deadline - Date.now();
  const outOfTime = (what: string, last: string) => new Error(`${what}: no definite answer within the deadline (last: ${last})`);

  const answerOf = async (res: Response): Promise<Answer> => {
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body, headers: res.headers };
  };

  /** Why an answer is worth asking again for, or null when it is the product's word. */
  const transient = (a: Answer): string | null => {
    if (a.status >= 500 || a.status === 429) return `${a.status} ${a.text.slice(0, 200)}`;
    return inProgress(a) ? '409 IDEMPOTENCY_KEY_IN_PROGRESS' : null;
  };

  /** One HTTP exchange, retried through the faults above; `definite` says which answers end it. */
  const exchange = async (what: string, url: string, init: () => RequestInit, definite: (a: Answer) => boolean): Promise<Answer> => {
    let wait = RETRY_FIRST_MS;
    for (let attempt = 1; ; attempt++) {
      let last: string;
      let after = wait;
      try {
        const a = await answerOf(
          await fetch(url, { ...init(), signal: AbortSignal.timeout(Math.min(REQUEST_TIMEOUT_MS, Math.max(1000, left()))) }),
        );
        const why = transient(a);
        // A claim still held by a dead API is never the answer, even where the step takes a 409 as one.
        if (!why || (definite(a) && !inProgress(a))) return a;
        last = why;
        const retryAfter = Number(a.headers.get('retry-after'));
        if (a.status === 429 && retryAfter > 0) after = Math.min(retryAfter * 1000, RETRY_AFTER_MAX_MS);
      } catch (err) {
        last = describe(err);
      }
      if (left() <= after) throw outOfTime(what, last);
      if (attempt === LOG_FROM_ATTEMPT || attempt % 20 === 0) ctx.log(`${what}: ${last}; asking again (attempt ${attempt + 1})`);
      await pause(after * (0.75 + ctx.random() / 2));
      wait = Math.min(wait * 2, RETRY_MAX_MS);
    }
  };

  const send = async (method: 'GET' | 'POST', path: string, opts: SendOptions = {}): Promise<Answer> => {
    const what = `${method} ${path}`;
    const accept = opts.accept ?? ((s: number) => s >= 200 && s < 300);
    const headers: Record<string, string> = { authorization: `Bearer ${endpoints.keys[opts.as ?? 'write']}` };
    if (method === 'POST') headers['idempotency-key'] = opts.idempotencyKey ?? `chaos-${crypto.randomUUID()}`;
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const a = await exchange(
      what,
      `${endpoints.apiUrl}/api/v1${path}`,
      () => ({ method, headers, body: payload }),
      (x) => accept(x.status),
    );
    if (!accept(a.status)) throw new Refused(`${what} answered ${a.status}: ${a.text.slice(0, 500)}`);
    return a;
  };

  /**
   * A POST answered 2xx, where 409 INVALID_STATE naming one of `inFlight` means "ask again once it is done" (README,
   * the steps answered 202): pause, and ask again with a new Idempotency-Key (the refusal is stored under the first).
   * After a worker crash an order's read model may already show a step's outcome while the recovering workflow still
   * holds its in-flight status (its projections are local activities, recorded with the workflow task the crash lost).
   */
  const postInTurn = async (path: string, inFlight: ReadonlySet<string>, opts: Pick<SendOptions, 'body' | 'as'> = {}): Promise<Answer> => {
    for (;;) {
      const res = await send('POST', path, { ...opts, accept: (s) => s < 300 || s === 409 });
      const current = res.body?.error?.details?.current_status;
      if (res.status < 300) return res;
      if (errorCode(res) !== 'INVALID_STATE' || !inFlight.has(current))
        throw new Refused(`POST ${path} answered 409: ${res.text.slice(0, 500)}`);
      ctx.log(`POST ${path}: 409 INVALID_STATE while ${current}; asking again with a new Idempotency-Key`);
      if (left() <= IN_TURN_PAUSE_MS) throw outOfTime(`POST ${path}`, `409 INVALID_STATE while ${current}`);
      await pause(IN_TURN_PAUSE_MS);
    }
  };

  return {
    endpoints,
    postInTurn,
    pause,
    /** Milliseconds left before the deadline. */
    left,
    post: (path: string, opts: SendOptions = {}) => send('POST', path, opts),
    get: (path: string, opts: Pick<SendOptions, 'as'> = {}) => send('GET', path, opts),
    /**
     * A sandbox's own control or page, straight (no API key). Retried only while the sandbox is not listening
     * (ECONNREFUSED: the request never arrived), since these controls are not idempotent; any answer is returned.
     */
    async sandbox(what: string, url: string, init: RequestInit = {}): Promise<Answer> {
      for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
        try {
          return await answerOf(await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }));
        } catch (err) {
          if (!describe(err).includes('ECONNREFUSED') || left() <= wait) throw new Error(`${what}: ${describe(err)}`, { cause: err });
          await pause(wait);
        }
      }
    },
    /** Polls `probe` until it returns something truthy; a Refused from it ends the wait at once. */
    async until<T>(what: string, probe: () => Promise<T | null | undefined | false>, pollMs = POLL_MS): Promise<T> {
      for (;;) {
        const v = await probe();
        if (v) return v;
        if (left() <= pollMs) throw new Error(`${what}: not within the deadline`);
        await pause(pollMs);
      }
    },
  };
}

/** The error code of an answer, in our envelope or in document 003's. */
export function errorCode(a: Answer): string | undefined {
  return a.body?.error?.code ?? a.body?.responseObject?.errorCode;
}

const inProgress = (a: Answer) => a.status === 409 && errorCode(a) === 'IDEMPOTENCY_KEY_IN_PROGRESS';

/** An error as one line, with its cause (fetch hides ECONNREFUSED and "other side closed" there). */
export function describe(err: unknown): string {
  // Duck-typed: fetch's errors come from another realm under jest, where `instanceof Error` does not hold.
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (!e || typeof e.message !== 'string') return String(err);
  const cause = e.cause && typeof e.cause.message === 'string' ? `: ${[e.cause.code, e.cause.message].filter(Boolean).join(' ')}` : '';
  return `${!e.name || e.name === 'Error' ? '' : `${e.name}: `}${e.message}${cause}`;
}
