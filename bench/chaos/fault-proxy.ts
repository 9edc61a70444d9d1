/**
 * A fault-injecting HTTP proxy in front of one sandbox (Horizon, Trustless Work, Airtm's API): the worker and the API
 * are given its URL, and on a share of their calls (drawn from a seeded generator) it answers as the real service
 * does when it fails, instead of forwarding:
 *   '5xx'          the service's own server-error answer (shapes below, each pinned to its source);
 *   '429'          its rate-limit answer, with Retry-After;
 *   'request-lost' never forwarded and never answered: the caller waits until it gives up (its timeout);
 *   'answer-lost'  forwarded and applied by the sandbox, its answer never returned: a retry must not apply it twice.
 * Calls without a fault are piped through unchanged (streams too).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { problems } from '../../sandboxes/stellar/horizon-json';
import type { Random } from './random';

export type ProxiedService = 'horizon' | 'trustless-work' | 'airtm';
export type ProxyFault = '5xx' | '429' | 'request-lost' | 'answer-lost';
export const PROXY_FAULTS: readonly ProxyFault[] = ['5xx', '429', 'request-lost', 'answer-lost'];

export interface FaultProxy {
  service: ProxiedService;
  url: string;
  /** The share (0..1) of calls that meet `fault` from now on; 0 turns it off. */
  setShare(fault: ProxyFault, share: number): void;
  /** Every share back to 0. */
  calm(): void;
  /** Faults injected so far, and calls forwarded (answer-lost ones included). */
  counts(): Record<ProxyFault, number> & { forwarded: number };
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Retry-After for a 429, in seconds: short, so a run is slowed, not stalled. */
const RETRY_AFTER_SECONDS = 1;

/** What `service` answers on a failure of its own. */
export function faultAnswer(service: ProxiedService, fault: '5xx' | '429', path: string): Answer {
  const json = (status: number, body: unknown, type = 'application/json', extra: Record<string, string> = {}): Answer => ({
    status,
    headers: { 'content-type': type, ...extra },
    body: JSON.stringify(body),
  });
  const retry: Record<string, string> = fault === '429' ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  switch (service) {
    case 'horizon':
      // stellar/go services/horizon/internal/render/problem/problem.go: ServiceUnavailable (503, when Horizon cannot
      // reach its database or core), RateLimitExceeded (429, with X-Ratelimit-* from the throttling middleware).
      if (fault === '5xx') {
        const unavailable = {
          type: 'https://stellar.org/horizon-errors/service_unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'The request cannot be serviced at this time.',
        };
        return json(503, unavailable, 'application/problem+json');
      }
      return json(429, problems.rateLimitExceeded(), 'application/problem+json', {
        ...retry,
        'x-ratelimit-limit': '3600',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(RETRY_AFTER_SECONDS),
      });
    case 'trustless-work': {
      // sandboxes/trustless-work/server.ts `fail`: RFC 9457 problem details, docs v2-en/api-rest/errors
      // (generic-http/too-many-requests; stellar/stellar-rpc-unavailable: 500, "Retry with backoff").
      const [status, code, title] =
        fault === '5xx' ? [500, 'STELLAR_RPC_UNAVAILABLE', 'Internal Server Error'] : [429, 'TOO_MANY_REQUESTS', 'Too Many Requests'];
      const type = `https://docs.trustlesswork.com/trustless-work/v2-en/api-rest/errors/${code.toLowerCase().replace(/_/g, '-')}`;
      return json(
        status,
        { type, title, status, code, detail: title, instance: path, traceId: 'chaos' },
        'application/problem+json',
        retry,
      );
    }
    case 'airtm':
      // sandboxes/airtm/server.ts: the answers of its own /_sandbox/faults (500 and 429 with retry-after), Airtm's
      // OpenAPI v1.87.0 leaving both bodies unspecified.
      return fault === '5xx'
        ? json(500, { message: 'Internal Server Error' })
        : json(429, { message: 'Too Many Requests' }, 'application/json', retry);
  }
}

export async function startFaultProxy(opts: {
  service: ProxiedService;
  /** The sandbox's origin (a path under it is kept: the proxy's URL carries the same path). */
  target: string;
  random: Random;
}): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const shares: Record<ProxyFault, number> = { '5xx': 0, '429': 0, 'request-lost': 0, 'answer-lost': 0 };
  const counts = { '5xx': 0, '429': 0, 'request-lost': 0, 'answer-lost': 0, forwarded: 0 };
  const held = new Set<Socket>();

  const draw = (): ProxyFault | null => {
    let r = opts.random();
    for (const fault of PROXY_FAULTS) {
      if (r < shares[fault]) return fault;
      r -= shares[fault];
    }
    return null;
  };
  const hold = (req: http.IncomingMessage) => {
    held.add(req.socket);
    req.socket.once('close', () => held.delete(req.socket));
  };

  const server = http.createServer((req, res) => {
    const fault = draw();
    if (fault) counts[fault]++;
    if (fault === '5xx' || fault === '429') {
      const a = faultAnswer(opts.service, fault, req.url ?? '/');
      req.resume();
      return void res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) }).end(a.body);
    }
    if (fault === 'request-lost') return void (req.resume(), hold(req));
    counts.forwarded++;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        if (fault === 'answer-lost') {
          answer.resume(); // applied by the sandbox; the caller never hears of it
          return hold(req);
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.headersSent || res.writeHead(502).end());
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(opts.target);
  url.host = `127.0.0.1:${port}`;
  return {
    service: opts.service,
    url: url.toString().replace(/\/$/, ''),
    setShare: (fault, share) => void (shares[fault] = share),
    calm: () => PROXY_FAULTS.forEach((f) => (shares[f] = 0)),
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        held.forEach((s) => s.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
