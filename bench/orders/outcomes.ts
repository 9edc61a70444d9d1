/**
 * How the orders benches learn a step's outcome once it answered 202: as the README tells a marketplace to, from the
 * event stream — one `GET /api/v1/events?types=order.status_changed` for the whole run, opened before the first
 * lifecycle — not by reading every order again and again (`BENCH_OUTCOMES=poll` still does that, every 50 ms, to
 * show what such a client costs the API and PostgreSQL). A status seen before its lifecycle starts waiting counts.
 */
import type { ApiClient } from './api-client';

export interface Outcomes {
  /** Resolves once order `id` is seen in `status`; rejects on a step failure that is not being retried, or after `waitMs`. */
  wait(id: string, status: string, waitMs: number): Promise<void>;
  close(): void;
}

interface Seen {
  statuses: Set<string>;
  failure?: string;
  wake?: () => void;
}

interface OrderData {
  id?: string;
  status?: string;
  last_error?: { step?: string; code?: string; retrying?: boolean } | null;
}

const POLL_MS = 50;

/** A step's failure the order shows and is not retrying, as a line; null when there is none. */
function failureOf(o: OrderData | undefined): string | null {
  return o?.last_error && !o.last_error.retrying ? `${o.last_error.step} failed: ${o.last_error.code}` : null;
}

/** The stream's messages (`event:`/`data:` blocks, blank-line separated), each handed to `onData` as parsed JSON. */
async function readStream(body: ReadableStream<Uint8Array>, onData: (data: { data?: OrderData }) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) onData(JSON.parse(data));
    }
  }
}

/** Opens the stream and resolves once the API has answered it (200, text/event-stream). */
export async function followOutcomes(baseUrl: string, apiKey: string): Promise<Outcomes> {
  const orders = new Map<string, Seen>();
  const seen = (id: string) => orders.get(id) ?? (orders.set(id, { statuses: new Set() }), orders.get(id)!);
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/events?types=order.status_changed`, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`GET /api/v1/events answered ${res.status}: ${await res.text()}`);
  let ended: string | null = null;
  void readStream(res.body, ({ data }) => {
    if (!data?.id) return;
    const s = seen(data.id);
    if (data.status) s.statuses.add(data.status);
    s.failure = failureOf(data) ?? s.failure;
    s.wake?.();
  }).then(
    () => (ended = 'the event stream ended'),
    (err: Error) => (ended = abort.signal.aborted ? 'closed' : `the event stream failed: ${err.message}`),
  );
  return {
    async wait(id, status, waitMs) {
      const s = seen(id);
      const deadline = Date.now() + waitMs;
      while (!s.statuses.has(status)) {
        if (s.failure) throw new Error(`order ${id}: ${s.failure}`);
        if (ended) throw new Error(`order ${id}: ${ended} before ${status}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`order ${id} did not reach ${status} within ${waitMs / 1000} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          s.wake = () => (clearTimeout(timer), resolve());
        });
      }
    },
    close: () => abort.abort(),
  };
}

/** What a client without events does: reads the order every 50 ms until the status. */
export function pollOutcomes(api: ApiClient): Outcomes {
  return {
    async wait(id, status, waitMs) {
      for (const deadline = Date.now() + waitMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, POLL_MS))) {
        const now = (await api.get(`/orders/${id}`)).body?.data as OrderData | undefined;
        if (now?.status === status) return;
        const failure = failureOf(now);
        if (failure) throw new Error(`order ${id}: ${failure}`);
      }
      throw new Error(`order ${id} did not reach ${status} within ${waitMs / 1000} s`);
    },
    close: () => undefined,
  };
}

/** How a lifecycle learns a step's outcome, from `BENCH_OUTCOMES`: `events` (one SSE stream, the default) or `poll`. */
export async function outcomesFor(baseUrl: string, apiKey: string, api: ApiClient): Promise<Outcomes> {
  const mode = process.env.BENCH_OUTCOMES ?? 'events';
  if (mode === 'poll') return pollOutcomes(api);
  if (mode === 'events') return followOutcomes(baseUrl, apiKey);
  throw new Error(`BENCH_OUTCOMES must be events or poll, not ${mode}`);
}
