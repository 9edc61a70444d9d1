import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';

/**
 * Horizon's Server-Sent Events: on connect `retry: 1000`, `event: open` and `data: "hello"`; then every record
 * after the cursor as `id: <paging token>` + `data: <json>`, page after page; then, as ledgers close, the records
 * they add. The client's `Last-Event-ID` (what EventSource sends when it reconnects) takes precedence over the
 * `cursor` parameter, as in Horizon. A server shutting down ends its streams with `event: close`, `data: "byebye"`.
 */

export interface StreamSource {
  /** Up to `limit` records after `cursor`, in stream order, with their paging tokens. */
  fetch(cursor: bigint, limit: number): Array<{ token: string; json: unknown }>;
}

export const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Access-Control-Allow-Origin': '*',
  'X-Accel-Buffering': 'no',
};

/** Open event streams, so that a server shutting down can end them (they never end on their own). */
export class StreamRegistry {
  private readonly open = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  /** Ends every stream with Horizon's goodbye event (clients reconnect on it). */
  endAll(): void {
    for (const res of this.open) res.end('retry: 10\nevent: close\ndata: "byebye"\n\n');
    this.open.clear();
  }
}

export function openEventStream(res: ServerResponse, registry?: StreamRegistry): void {
  res.writeHead(200, STREAM_HEADERS);
  res.write('retry: 1000\nevent: open\ndata: "hello"\n\n');
  registry?.add(res);
}

/** Streams a collection until the client goes away. `ledgers` emits 'ledger' after every close. */
export function streamCollection(
  req: IncomingMessage,
  res: ServerResponse,
  ledgers: EventEmitter,
  source: StreamSource,
  start: { cursor: bigint; limit: number },
  registry?: StreamRegistry,
): void {
  openEventStream(res, registry);
  let cursor = start.cursor;
  let closed = false;
  const pump = () => {
    if (closed) return;
    for (;;) {
      const records = source.fetch(cursor, start.limit);
      for (const r of records) {
        res.write(`id: ${r.token}\ndata: ${JSON.stringify(r.json)}\n\n`);
        cursor = BigInt(r.token);
      }
      if (records.length < start.limit) break;
    }
  };
  const onLedger = () => pump();
  const stop = () => {
    closed = true;
    ledgers.off('ledger', onLedger);
  };
  req.on('close', stop);
  res.on('close', stop);
  ledgers.on('ledger', onLedger);
  pump();
}

/** Streams a single resource (e.g. an account): sent on connect and again whenever its JSON changes. */
export function streamResource(
  req: IncomingMessage,
  res: ServerResponse,
  ledgers: EventEmitter,
  render: () => unknown | undefined,
  registry?: StreamRegistry,
): void {
  openEventStream(res, registry);
  let last = '';
  const send = () => {
    const json = render();
    if (json === undefined) return;
    const text = JSON.stringify(json);
    if (text === last) return;
    last = text;
    res.write(`data: ${text}\n\n`);
  };
  const stop = () => ledgers.off('ledger', send);
  req.on('close', stop);
  res.on('close', stop);
  ledgers.on('ledger', send);
  send();
}
