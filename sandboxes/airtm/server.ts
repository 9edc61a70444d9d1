import crypto from 'node:crypto';
import http from 'node:http';
import { listen } from '../shared/listen';
import { adminRoute } from './admin-routes';
import { checkoutPage, closedPage, notFoundPage } from './checkout-page';
import { AirtmModel, payinJson, payoutJson, type PayinItem } from './model';
import { loadModel, saveModel } from './persistence';
import type { AirtmSandbox, AirtmSandboxOptions, CallFault } from './types';
import { WebhookSender } from './webhook-sender';
import {
  AirtmError,
  centsOf,
  email,
  invalid,
  onlyFields,
  optionalBoolean,
  optionalString,
  requiredString,
  url,
  usdText,
  type Body,
} from './wire';

/** "100.00" → cents; the sandbox's own settings only. */
function settingCents(text: string, what: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`${what} must be a USD amount with at most 2 decimals, not ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** A JSON object body ({} when empty), or 400 415901. */
function parseBody(raw: string): Body {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('The body must be JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('The body must be a JSON object');
  return parsed as Body;
}

function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

/** #/components/schemas/CreatePayinItem: description, amount (≥ 0.01, two decimals), quantity (≥ 1; whole here). */
function payinItems(body: Body): Array<Omit<PayinItem, 'id'>> {
  if (!Array.isArray(body.items)) throw invalid('items is required and must be an array', { field: 'items' });
  return body.items.map((raw: unknown, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`items[${i}] must be an object`);
    const it = raw as Body;
    onlyFields(it, ['description', 'amount', 'quantity'], `items[${i}]`);
    const amountCents = centsOf(it.amount);
    if (amountCents === null || amountCents < 1n) throw invalid(`items[${i}].amount must be at least 0.01 with at most 2 decimals`);
    if (typeof it.quantity !== 'number' || !Number.isSafeInteger(it.quantity) || it.quantity < 1)
      throw invalid(`items[${i}].quantity must be a whole number of at least 1`);
    return { description: requiredString(it, 'description'), amountCents, quantity: it.quantity };
  });
}

/**
 * Starts the sandbox Airtm Enterprise API V2, pinned to Airtm's OpenAPI document v1.87.0 (OFFER-HUB/OFFER-HUB
 * docs/airtm/documentation.json; every behaviour below names the JSON path it follows). See README.md.
 */
export async function startAirtmSandbox(options: AirtmSandboxOptions): Promise<AirtmSandbox> {
  const log = options.log ?? (() => {});
  const sender = new WebhookSender({ url: options.webhookUrl, secret: options.webhookSecret, scheduleMs: options.webhookScheduleMs });
  const model = new AirtmModel((type, data) => sender.send(type, data), {
    enterpriseBalanceCents: settingCents(options.enterpriseBalance ?? '100000.00', 'enterpriseBalance'),
    payinFeeBps: BigInt(options.payinFeeBps ?? 0),
    payoutFeeBps: BigInt(options.payoutFeeBps ?? 0),
  });
  const loaded = options.dataFile ? loadModel(options.dataFile, model) : false;
  const save = () => {
    if (options.dataFile) saveModel(options.dataFile, model);
  };
  for (const u of loaded ? [] : (options.users ?? []))
    model.putUser(u.email, {
      balanceCents: u.balance === undefined ? undefined : settingCents(u.balance, `balance of ${u.email}`),
      isVerified: u.isVerified,
      status: u.status,
    });
  save();
  const credentials = `${options.apiKey}:${options.apiSecret}`;
  const perSecond = options.requestsPerSecond ?? 10;
  const recent = new Map<string, number[]>();
  const faults: CallFault[] = [];
  let confirmOutcome: 'CONFIRMED' | 'PROCESSING' = 'CONFIRMED';
  let payoutsHeld = false;

  /** How many seconds a caller must wait, or null when the call fits in the last second's 10. */
  function admit(key: string): number | null {
    const now = (options.clock ?? Date.now)();
    const times = (recent.get(key) ?? []).filter((t) => now - t < 1000);
    if (times.length >= perSecond) {
      recent.set(key, times);
      return 1;
    }
    times.push(now);
    recent.set(key, times);
    return null;
  }

  const deliver = (id: string) => {
    const p = model.payout(id);
    if (!payoutsHeld) model.deliver(p);
    return p;
  };

  /** The /v2 operations: [method, path pattern, handler(match, body) → [status, json]]. */
  type Handler = (m: RegExpExecArray, body: Body) => [number, unknown];
  const routes: Array<[string, RegExp, Handler]> = [
    // #/paths/~1payins/post: CreatePayinRequest → PayinResponse (CREATED).
    [
      'POST',
      /^\/payins$/,
      (_m, body) => {
        onlyFields(body, ['code', 'amount', 'description', 'items', 'confirmationUri', 'cancelUri'], 'CreatePayinRequest');
        const amountCents = centsOf(body.amount);
        if (amountCents === null || amountCents < 1n) throw invalid('amount must be at least 0.01 with at most 2 decimals');
        const items = payinItems(body);
        // "This value must correctly correspond to the sum of the amounts associated with each purchase item."
        const total = items.reduce((s, it) => s + it.amountCents * BigInt(it.quantity), 0n);
        if (total !== amountCents) throw invalid('amount must be the sum of the items (amount × quantity)', { items: usdText(total) });
        const payin = model.createPayin({
          code: requiredString(body, 'code'),
          amountCents,
          description: requiredString(body, 'description', { max: 250 }),
          items: items.map((it) => ({ ...it, id: crypto.randomUUID() })),
          confirmationUri: url(body, 'confirmationUri'),
          cancelUri: url(body, 'cancelUri'),
        });
        return [200, payinJson(payin)];
      },
    ],
    // #/paths/~1payins~1by-code~1{code}/get.
    ['GET', /^\/payins\/by-code\/([^/]+)$/, (m) => [200, payinJson(model.payinByCode(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payins~1{id}/get.
    ['GET', /^\/payins\/([^/]+)$/, (m) => [200, payinJson(model.payin(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payins~1{id}/delete: the cancelled PayinResponse.
    ['DELETE', /^\/payins\/([^/]+)$/, (m) => [200, payinJson(model.cancelPayin(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payouts/post: CreatePayoutRequest → PayoutResponse; `commit: true` commits in the same call.
    [
      'POST',
      /^\/payouts$/,
      (_m, body) => {
        onlyFields(
          body,
          ['airtmUserEmail', 'amount', 'commit', 'code', 'enterpriseFee', 'notes', 'internalNote', 'requireIdVerified'],
          'CreatePayoutRequest',
        );
        const grossCents = centsOf(body.amount);
        if (grossCents === null) throw invalid('amount must be a number with at most 2 decimals');
        // "minimum: 0.01" (#/components/schemas/CreatePayoutRequest/properties/amount); 415058 "Payout below minimum limit".
        if (grossCents < 1n) throw new AirtmError(422, '415058', 'Payout below minimum limit');
        const enterpriseFeeCents = body.enterpriseFee === undefined ? 0n : centsOf(body.enterpriseFee);
        if (enterpriseFeeCents === null) throw invalid('enterpriseFee must be a number ≥ 0 with at most 2 decimals');
        const payout = model.createPayout({
          email: email(body, 'airtmUserEmail'),
          grossCents,
          enterpriseFeeCents,
          notes: requiredString(body, 'notes', { max: 255 }),
          code: optionalString(body, 'code'),
          internalNote: optionalString(body, 'internalNote'),
          requireIdVerified: optionalBoolean(body, 'requireIdVerified') ?? false,
        });
        if (optionalBoolean(body, 'commit')) {
          model.commitPayout(payout.id);
          deliver(payout.id);
        }
        return [200, payoutJson(payout)];
      },
    ],
    // #/paths/~1payouts~1by-code~1{code}/get.
    ['GET', /^\/payouts\/by-code\/([^/]+)$/, (m) => [200, payoutJson(model.payoutByCode(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payouts~1{id}/get.
    ['GET', /^\/payouts\/([^/]+)$/, (m) => [200, payoutJson(model.payout(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payouts~1{id}/delete.
    ['DELETE', /^\/payouts\/([^/]+)$/, (m) => [200, payoutJson(model.cancelPayout(decodeURIComponent(m[1]!)))]],
    // #/paths/~1payouts~1{id}~1commit/post: `204` ("Accepted"; its description says "an empty 201"), no body.
    [
      'POST',
      /^\/payouts\/([^/]+)\/commit$/,
      (m) => {
        const id = decodeURIComponent(m[1]!);
        model.commitPayout(id);
        deliver(id);
        return [204, undefined];
      },
    ],
    // #/paths/~1users~1{email}/get → #/components/schemas/User.
    [
      'GET',
      /^\/users\/([^/]+)$/,
      (m) => {
        const u = model.registeredUser(decodeURIComponent(m[1]!));
        if (!u) throw new AirtmError(404, '415059', 'Recipient not found');
        return [200, { id: u.id, status: u.status, primaryEmail: true, isVerified: u.isVerified }];
      },
    ],
    // #/paths/~1me~1balance/get → #/components/schemas/Balance.
    [
      'GET',
      /^\/me\/balance$/,
      () => [200, { available: Number(usdText(model.enterpriseAvailableCents)), pending: Number(usdText(model.enterprisePendingCents)) }],
    ],
  ];

  function api(req: http.IncomingMessage, res: http.ServerResponse, path: string, raw: string, admin = false): void {
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      log(`${req.method} /v2${path} → ${status}`);
      if (req.method !== 'GET') save();
      if (json === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      const text = JSON.stringify(json);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    const fault = admin ? undefined : faults.shift();
    if (fault?.kind === 'timeout') return log(`${req.method} /v2${path} → (no answer)`);
    if (fault?.kind === 500) return send(500, { message: 'Internal Server Error' });
    if (fault?.kind === 429) return send(429, { message: 'Too Many Requests' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    try {
      // #/components/securitySchemes/basicAuth; 415904 "Unauthorized request" (#/info/description, "Reason Codes").
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
      if (!safeEqual(given, credentials)) throw new AirtmError(401, '415904', 'Unauthorized request');
      // "HTTP 429 response when exceeded" (#/info/description, "Rate Limits"); the body is not specified.
      const wait = admin ? null : admit(options.apiKey);
      if (wait !== null) return send(429, { message: `More than ${perSecond} requests per second` }, { 'retry-after': String(wait) });
      if (admin) {
        const [status, json] = adminRoute(
          handle,
          () => [...model.users.values()].filter((u) => u.registered).map((u) => u.email),
          req.method ?? '',
          path,
          parseBody(raw),
        );
        return send(status, json);
      }
      for (const [method, pattern, handler] of routes) {
        const m = pattern.exec(path);
        if (!m || method !== req.method) continue;
        const [status, json] = handler(m, method === 'POST' ? parseBody(raw) : {});
        return send(status, json);
      }
      throw new AirtmError(404, '415902', 'Item not found');
    } catch (err) {
      if (err instanceof AirtmError)
        return send(err.statusCode, { code: err.code, message: err.message, ...(err.data ? { data: err.data } : {}) });
      log(`sandbox fault: ${(err as Error).stack ?? String(err)}`);
      send(500, { code: '415998', message: 'Unexpected error' });
    }
  }

  /** GET shows the hosted page; POST (a form: email, action=confirm|cancel) acts and redirects 303 with `?code=`. */
  function checkout(req: http.IncomingMessage, res: http.ServerResponse, id: string, raw: string): void {
    const html = (status: number, text: string) => {
      if (req.method === 'POST') save();
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(text);
    };
    const payin = model.payins.get(id);
    if (!payin) return html(404, notFoundPage());
    if (payin.status !== 'CREATED') return html(410, closedPage(payin));
    if (req.method === 'GET') return html(200, checkoutPage(payin));
    if (req.method !== 'POST') return html(405, notFoundPage());
    const form = new URLSearchParams(raw);
    // "We will redirect the user to either `confirmationUri` or `cancelUri` with code as a query parameter."
    const redirect = (to: string) => {
      save();
      const target = new URL(to);
      target.searchParams.set('code', payin.code);
      res.writeHead(303, { location: target.toString() }).end();
    };
    try {
      if (form.get('action') === 'cancel') {
        model.cancelPayin(id);
        return redirect(payin.cancelUri);
      }
      if (form.get('action') !== 'confirm') return html(400, checkoutPage(payin, { code: '415901', message: 'Choose Confirm or Cancel' }));
      model.confirmPayin(id, form.get('email') ?? '', confirmOutcome);
      return redirect(payin.confirmationUri);
    } catch (err) {
      if (err instanceof AirtmError) return html(err.statusCode, checkoutPage(payin, { code: err.code, message: err.message }));
      throw err;
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      const raw = Buffer.concat(chunks).toString('utf8');
      // The page's address: /payin/:id (#/paths/~1payins/post/description, "Usage" 2); /checkout/:id is what
      // #/tags[name=Payins]/description ("Redirect URL Structure") calls it. Both serve the same page.
      const page = /^\/(?:payin|checkout)\/([^/]+)$/.exec(path);
      if (page) return checkout(req, res, decodeURIComponent(page[1]!), raw);
      if (path.startsWith('/v2/')) return api(req, res, path.slice(3), raw);
      if (path.startsWith('/_sandbox/')) return api(req, res, path.slice('/_sandbox'.length), raw, true);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: '415902', message: 'Item not found' }));
    });
  });
  const origin = await listen(server, options.port, options.host);
  let stopped: Promise<void> | null = null;
  const handle: AirtmSandbox = {
    url: origin,
    apiUrl: `${origin}/v2`,
    checkoutUrl: (id) => `${origin}/payin/${encodeURIComponent(id)}`,
    putUser(address, opts = {}) {
      model.putUser(address, {
        balanceCents: opts.balance === undefined ? undefined : settingCents(opts.balance, `balance of ${address}`),
        isVerified: opts.isVerified,
        status: opts.status,
      });
      save();
    },
    balanceOf(address) {
      const u = model.registeredUser(address);
      return u ? usdText(u.balanceCents) : null;
    },
    enterpriseBalance: () => ({ available: usdText(model.enterpriseAvailableCents), pending: usdText(model.enterprisePendingCents) }),
    setConfirmOutcome(outcome) {
      confirmOutcome = outcome;
    },
    settlePayin(id, outcome, failureReason) {
      model.settlePayin(id, outcome, failureReason);
      save();
    },
    holdPayouts(held) {
      payoutsHeld = held;
      if (!held) for (const p of model.payouts.values()) if (p.status === 'COMMITTED') model.deliver(p);
      save();
    },
    failPayout(id, reasonCode, reasonDescription) {
      model.failPayout(id, reasonCode, reasonDescription);
      save();
    },
    failNext(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    webhooks: {
      deliveries: () => sender.deliveries,
      dropNext: (n) => sender.dropNext(n),
      duplicateNext: (n, copies) => sender.duplicateNext(n, copies),
      delayNext: (ms, n) => sender.delayNext(ms, n),
      hold: () => sender.hold(),
      release: (opts) => sender.release(opts),
      idle: () => sender.idle(),
      setUrl: (u) => sender.setUrl(u),
    },
    stop() {
      stopped ??= (async () => {
        sender.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        save();
      })();
      return stopped;
    },
  };
  return handle;
}
