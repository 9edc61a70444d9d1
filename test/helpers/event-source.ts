import { EVENT_TYPES } from '../../src/events/catalog';
import type { EventView } from '../../src/events/event-view';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- eventsource 2 ships no types
const EventSource = require('eventsource') as new (url: string, init?: { headers?: Record<string, string> }) => RawEventSource;

interface RawEventSource {
  readyState: number;
  addEventListener(type: string, listener: (e: { data?: string; lastEventId?: string; status?: number }) => void): void;
  close(): void;
}

/** A real EventSource (the `eventsource` package, WHATWG-compliant) on GET /api/v1/events, collecting what it receives. */
export interface TestStream {
  events: EventView[];
  /** In-band `event: error` messages (the stream fell behind). */
  errors: Array<{ error: { code: string; message: string; details: Record<string, unknown> } }>;
  /** HTTP failures the client saw (status codes; EventSource reconnects on its own after some of them). */
  failures: number[];
  opened: number;
  close(): void;
  waitFor(check: (s: TestStream) => boolean, what?: string): Promise<void>;
}

export function openStream(baseUrl: string, key: string, opts: { query?: string; lastEventId?: string } = {}): TestStream {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (opts.lastEventId) headers['Last-Event-ID'] = opts.lastEventId;
  const es = new EventSource(`${baseUrl}/api/v1/events${opts.query ? `?${opts.query}` : ''}`, { headers });
  const stream: TestStream = {
    events: [],
    errors: [],
    failures: [],
    opened: 0,
    close: () => es.close(),
    async waitFor(check, what = 'condition') {
      for (let i = 0; i < 1500 && !check(stream); i++) await new Promise((r) => setTimeout(r, 10));
      if (!check(stream)) throw new Error(`stream: ${what} not reached (${stream.events.length} events, failures ${stream.failures})`);
    },
  };
  es.addEventListener('open', () => stream.opened++);
  for (const type of EVENT_TYPES) es.addEventListener(type, (e) => stream.events.push(JSON.parse(e.data!)));
  es.addEventListener('error', (e) => {
    if (e.data) stream.errors.push(JSON.parse(e.data));
    else if (e.status) stream.failures.push(e.status);
  });
  return stream;
}
