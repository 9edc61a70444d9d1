import http from 'node:http';
import https from 'node:https';
import { checkUrlForm, pinnedLookup, UrlPolicyError } from './url-policy';

/** What one POST to a receiver came to. The receiver's body is read (to free the connection) and never stored. */
export interface PostOutcome {
  /** Null when no HTTP answer came: refused by the URL policy, connection error, timeout. */
  statusCode: number | null;
  latencyMs: number;
  retryAfter: string | undefined;
  error: string | null;
}

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowInsecure: boolean;
}

const MAX_ERROR_LENGTH = 200;
const agents = new Map<string, http.Agent>();

/** Keep-alive agents whose connections go only to addresses the URL policy allowed (checked at each connect). */
function agentFor(protocol: string, allowInsecure: boolean): http.Agent {
  const key = `${protocol}${allowInsecure}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 50, lookup: pinnedLookup(allowInsecure) as never };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** POSTs a delivery; never throws (every failure is an outcome to record), never follows redirects. */
export async function postDelivery(o: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = checkUrlForm(o.url, o.allowInsecure);
  } catch (err) {
    return { statusCode: null, latencyMs: 0, retryAfter: undefined, error: describe(err) };
  }
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, {
      method: 'POST',
      agent: agentFor(url.protocol, o.allowInsecure),
      timeout: o.timeoutMs,
      headers: {
        ...o.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(o.body).toString(),
        'user-agent': 'OFFER-HUB-Webhooks/1',
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ statusCode: res.statusCode ?? null, latencyMs: elapsed(), retryAfter, error: null });
      });
      res.on('error', () => undefined);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ statusCode: null, latencyMs: elapsed(), retryAfter: undefined, error: describe(err) });
    });
    req.end(o.body);
  });
}

function describe(err: unknown): string {
  if (err instanceof UrlPolicyError) return `url_policy: ${err.message}`.slice(0, MAX_ERROR_LENGTH);
  const e = err as NodeJS.ErrnoException;
  return (e.code ? `${e.code}: ${e.message}` : String(e.message ?? err)).slice(0, MAX_ERROR_LENGTH);
}
