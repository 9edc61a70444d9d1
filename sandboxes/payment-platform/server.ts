import http from 'node:http';
import { listen } from '../shared/listen';
import { declarePage, notFoundPage, paymentPage } from './page';
import { PaymentBook, provePayment, providerHashOf, type Payment, type PaymentInput } from './payments';
import { witnessAddress } from './witness';

/** The port `npm start` gives the sandbox (SANDBOX_PAYMENT_PLATFORM_PORT overrides). */
export const PAYMENT_PLATFORM_SANDBOX_PORT = 8003;

/**
 * The development witness key `npm start` uses; its address is 0x084414c218bc21476df2800926a664a0576f2c96. It is
 * public, so anyone can forge its proofs: never configure that address as a witness outside a sandbox stack.
 */
export const DEV_WITNESS_PRIVATE_KEY = '0x5a2b1e11fb2e9e3f9b3d7fdf2e9c0c7d0b5a3ef8c1d2e3f405162738495a6b7c';

export interface PaymentPlatformSandboxOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  host?: string;
  /** The witness's secp256k1 private key (hex); proofs are signed with it. */
  witnessPrivateKey: string;
  /** Milliseconds; Date.now by default. Tests set it to date payments and proofs. */
  clock?: () => number;
  /** One line per request; silent by default. */
  log?: (line: string) => void;
}

export interface PaymentPlatformSandbox {
  url: string;
  /** Lower-case 0x address of the witness key: what WITNESS addresses on the orchestrator's side must list. */
  witnessAddress: string;
  /** Records a payment as POST /payments does (throws on invalid input). */
  declarePayment(input: Record<string, unknown>): Payment;
  /** The provider hash of the sandbox's proofs (what `providerHashes` lists to accept only them). */
  providerHash: string;
  /** Every payment recorded, oldest first. */
  payments(): Payment[];
  /** The proof GET /payments/:id/proof answers now. */
  proofOf(paymentId: string): unknown;
  stop(): Promise<void>;
}

class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

const FIELDS = ['platform', 'amount', 'currency', 'recipient', 'senderHandle', 'intentHash', 'paidAt'] as const;

function text(body: Record<string, unknown>, name: string, pattern: RegExp, hint: string): string {
  const value = body[name];
  if (typeof value !== 'string' || !pattern.test(value)) throw new BadRequest(`${name} must be ${hint}`);
  return value;
}

/** The declared payment, checked: unknown fields, wrong types and malformed values are 400. */
function paymentInput(body: Record<string, unknown>, now: Date): PaymentInput {
  const unknown = Object.keys(body).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new BadRequest(`unknown fields: ${unknown.join(', ')}`);
  const amount = text(body, 'amount', /^\d{1,15}(\.\d{1,8})?$/, 'a plain decimal such as "50.00"');
  if (!/[1-9]/.test(amount)) throw new BadRequest('amount must be greater than zero');
  let paidAt = now;
  if (body.paidAt !== undefined && body.paidAt !== '') {
    const iso = text(
      body,
      'paidAt',
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/,
      'an ISO 8601 date-time with a zone',
    );
    paidAt = new Date(iso);
    const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
    // Date rolls "2026-02-30" over to March 2nd; the calendar date must exist.
    if (Number.isNaN(paidAt.getTime()) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d || m > 12)
      throw new BadRequest('paidAt must be a valid date');
  }
  return {
    platform: text(body, 'platform', /^[A-Za-z0-9_-]{1,32}$/, 'a platform name such as "venmo"'),
    amount,
    currency: text(body, 'currency', /^[A-Za-z]{3}$/, 'an ISO 4217 code such as "USD"').toUpperCase(),
    recipient: text(body, 'recipient', /^\S.{0,255}$/su, '1–256 characters'),
    senderHandle: text(body, 'senderHandle', /^\S.{0,255}$/su, '1–256 characters'),
    intentHash: text(body, 'intentHash', /^\S{1,256}$/u, '1–256 characters without spaces'),
    paidAt: paidAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new BadRequest('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonObject(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequest('the body must be JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Starts the payment platform sandbox: people and tests declare fiat payments (POST /payments, or the form at /),
 * and fetch a Reclaim proof of each signed by the sandbox witness (GET /payments/:id/proof). See README.md.
 */
export async function startPaymentPlatformSandbox(options: PaymentPlatformSandboxOptions): Promise<PaymentPlatformSandbox> {
  const log = options.log ?? (() => {});
  const now = () => new Date((options.clock ?? Date.now)());
  const witness = witnessAddress(options.witnessPrivateKey);
  const book = new PaymentBook();
  let baseUrl = '';

  const proofOf = (id: string) => {
    const p = book.get(id);
    return p ? provePayment(p, baseUrl, options.witnessPrivateKey, now()) : undefined;
  };
  const paymentJson = (p: Payment) => ({ ...p, proofUrl: `${baseUrl}/payments/${p.id}/proof` });

  async function route(
    req: http.IncomingMessage,
    path: string,
  ): Promise<[status: number, kind: 'html' | 'json', body: unknown, location?: string]> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/') return [200, 'html', declarePage(witness)];
    if (method === 'GET' && path === '/witness') return [200, 'json', { address: witness, providerHash: providerHashOf(baseUrl) }];
    if (method === 'POST' && path === '/') {
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      try {
        const p = book.record(paymentInput(form, now()), now());
        return [303, 'html', '', `/payments/${p.id}/view`];
      } catch (e) {
        if (e instanceof BadRequest) return [400, 'html', declarePage(witness, e.message, form)];
        throw e;
      }
    }
    if (method === 'POST' && path === '/payments') {
      const p = book.record(paymentInput(parseJsonObject(await readBody(req)), now()), now());
      return [201, 'json', paymentJson(p)];
    }
    const m = /^\/payments\/([A-Za-z0-9_]+)(\/proof|\/view)?$/.exec(path);
    if (method === 'GET' && m) {
      const p = book.get(m[1]!);
      if (!p)
        return m[2] === '/view'
          ? [404, 'html', notFoundPage()]
          : [404, 'json', { error: { code: 'NOT_FOUND', message: 'no such payment' } }];
      if (m[2] === '/proof') return [200, 'json', proofOf(p.id)];
      if (m[2] === '/view') return [200, 'html', paymentPage(p, proofOf(p.id)!)];
      return [200, 'json', paymentJson(p)];
    }
    return [404, 'json', { error: { code: 'NOT_FOUND', message: `${method} ${path} is not a route` } }];
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    route(req, path)
      .catch((e: unknown): [number, 'json', unknown] => {
        if (e instanceof BadRequest) return [400, 'json', { error: { code: 'VALIDATION_ERROR', message: e.message } }];
        log(`payment-platform: ${String(e)}`);
        return [500, 'json', { error: { code: 'INTERNAL_ERROR', message: 'internal error' } }];
      })
      .then(([status, kind, body, location]) => {
        log(`${req.method} ${path} → ${status}`);
        const headers: http.OutgoingHttpHeaders = { 'content-type': kind === 'html' ? 'text/html; charset=utf-8' : 'application/json' };
        if (location) headers.location = location;
        res.writeHead(status, headers).end(kind === 'html' ? String(body) : JSON.stringify(body));
      })
      .catch(() => res.destroy());
  });
  baseUrl = await listen(server, options.port, options.host);

  return {
    url: baseUrl,
    witnessAddress: witness,
    providerHash: providerHashOf(baseUrl),
    declarePayment: (input) => book.record(paymentInput(input, now()), now()),
    payments: () => book.all(),
    proofOf: (id) => proofOf(id),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
