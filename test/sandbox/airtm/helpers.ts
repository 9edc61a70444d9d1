import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAirtmSandbox, type AirtmSandbox, type AirtmSandboxOptions } from '../../../sandboxes/airtm';

export const API_KEY = 'airtm-test-key';
export const API_SECRET = 'airtm-test-secret';
/** A Svix endpoint secret: `whsec_` + base64 of the HMAC key (the spec's example has this form). */
export const WEBHOOK_KEY = crypto.createHash('sha256').update('airtm sandbox tests').digest();
export const WEBHOOK_SECRET = `whsec_${WEBHOOK_KEY.toString('base64')}`;
export const BASIC = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;

/**
 * The Svix signature, computed here from its published scheme (docs.svix.com "Verifying webhooks manually", the one
 * the spec's example verifies): base64 HMAC-SHA256, keyed with the secret's base64 part, of `${id}.${timestamp}.${body}`.
 */
export function svixSignature(id: string, timestamp: number, body: string, key: Buffer = WEBHOOK_KEY): string {
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint that records each delivery and answers `status()` (200 unless told otherwise). */
export interface Receiver {
  url: string;
  received: Received[];
  /** The answers to give, in order, before falling back to 200. */
  answerNext(...statuses: number[]): void;
  stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/webhooks/airtm`,
    received,
    answerNext: (...statuses) => answers.push(...statuses),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface AirtmTest {
  airtm: AirtmSandbox;
  receiver: Receiver;
  stop(): Promise<void>;
}

/** A sandbox with two users (alice: 100.00, bob: 5.00), webhooks to a receiver, retries 50 ms apart. */
export async function startAirtm(opts: Partial<AirtmSandboxOptions> = {}): Promise<AirtmTest> {
  const receiver = await startReceiver();
  const airtm = await startAirtmSandbox({
    port: 0,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    webhookUrl: receiver.url,
    webhookSecret: WEBHOOK_SECRET,
    webhookScheduleMs: [0, 50, 50],
    requestsPerSecond: 1000,
    users: [
      { email: 'alice@example.com', balance: '100.00', isVerified: true },
      { email: 'bob@example.com', balance: '5.00' },
    ],
    enterpriseBalance: '1000.00',
    ...opts,
  });
  return {
    airtm,
    receiver,
    async stop() {
      await airtm.stop();
      await receiver.stop();
    },
  };
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** A raw call to the sandbox's /v2 API (no adapter in between). */
export async function call(airtm: AirtmSandbox, method: string, path: string, body?: unknown, auth = BASIC): Promise<Reply> {
  const res = await fetch(`${airtm.apiUrl}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export const payinBody = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  amount: 12.5,
  description: 'Top-up of 12.50 USD',
  items: [
    { description: 'Credit', amount: 10, quantity: 1 },
    { description: 'Small credit', amount: 1.25, quantity: 2 },
  ],
  confirmationUri: 'https://market.example/topups/done',
  cancelUri: 'https://market.example/topups/canceled',
  ...overrides,
});

/** Posts the hosted page's form as a browser would (urlencoded), without following the redirect. */
export async function submitCheckout(airtm: AirtmSandbox, payinId: string, fields: Record<string, string>) {
  const res = await fetch(airtm.checkoutUrl(payinId), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
