import type { IncomingMessage, ServerResponse } from 'node:http';
import { StrKey } from '@stellar/stellar-sdk';
import { INT64_MAX } from './amounts';
import { canonicalAsset } from './assets';
import { renderClaimableBalance } from './claimable-balances';
import type { Faucets } from './faucets';
import type { Order, PageQuery, RecordFilter } from './history';
import { problems, renderAccount, renderFeeStats, renderLedger, renderOperation, renderRoot, renderTransaction } from './horizon-json';
import type { SandboxNetwork } from './network';
import type { ClaimableBalanceEntry } from './ledger-state';
import type { HorizonRateLimiter } from './rate-limit';
import { streamCollection, streamResource, type StreamRegistry, type StreamSource } from './stream';
import { answerAsyncSubmission, answerSubmission } from './submission';
import { afterLedger } from './toid';

/**
 * The Horizon HTTP API the sandbox serves: the resources and collections `@stellar/stellar-sdk`'s Horizon.Server
 * reads, transaction submission, SSE streaming of collections (and of an account), friendbot and the USDC faucet.
 */

/** `error` marks the sandbox's own failures (a request it could not serve, state it could not save); the rest is routine. */
export type LogFn = (message: string, fields?: Record<string, unknown>, level?: 'info' | 'error') => void;

export interface RouteDeps {
  network: SandboxNetwork;
  faucets: Faucets;
  baseUrl: () => string;
  log: LogFn;
  streams: StreamRegistry;
  /** Horizon's per-IP request limit, when the sandbox is started with one. */
  rateLimiter?: HorizonRateLimiter;
}

/** Friendbot and the USDC faucet are services of their own beside Horizon on a real network: not under its limit. */
const OUTSIDE_HORIZON = /^\/(friendbot|faucet)\b/;

type Json = Record<string, unknown>;
const MAX_BODY = 1024 * 1024;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 200;

class HttpProblem extends Error {
  constructor(readonly body: Json) {
    super(String(body.title));
  }
}

function send(res: ServerResponse, status: number, body: Json): void {
  const isProblem = status >= 400;
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'Content-Type': isProblem ? 'application/problem+json; charset=utf-8' : 'application/hal+json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Access-Control-Allow-Origin': '*',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpProblem(problems.badRequest('body', 'request body too large')));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function wantsStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

function accountIdParam(id: string): string {
  if (!StrKey.isValidEd25519PublicKey(id)) {
    throw new HttpProblem(problems.badRequest('account_id', 'Account ID must start with `G` and contain 56 alphanum characters'));
  }
  return id;
}

function txHashParam(hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new HttpProblem(problems.badRequest('tx_id', 'Transaction hash must be a hex-encoded, lowercase SHA-256 hash'));
  }
  return hash;
}

function ledgerParam(seq: string): number {
  if (!/^\d{1,10}$/.test(seq) || Number(seq) > 0xffffffff)
    throw new HttpProblem(problems.badRequest('ledger_id', 'Ledger ID must be an integer'));
  return Number(seq);
}

interface CollectionParams extends PageQuery {
  rawCursor: string;
  includeFailed?: boolean;
  join?: 'transactions';
}

function parseCollection(
  req: IncomingMessage,
  params: URLSearchParams,
  latestLedger: number,
  opts: { join: boolean; includeFailed: boolean },
): CollectionParams {
  const orderText = params.get('order') ?? '';
  if (orderText !== '' && orderText !== 'asc' && orderText !== 'desc') {
    throw new HttpProblem(problems.badRequest('order', 'order: invalid value; must be "asc" or "desc"'));
  }
  const order: Order = orderText === 'desc' ? 'desc' : 'asc';

  const limitText = params.get('limit') ?? '';
  let limit = DEFAULT_LIMIT;
  if (limitText !== '') {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw new HttpProblem(problems.badRequest('limit', `limit: must be an integer between 1 and ${MAX_LIMIT}`));
    }
    limit = Number(limitText);
  }

  const lastEventId = req.headers['last-event-id'];
  const rawCursor = (typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : params.get('cursor')) ?? '';
  let cursor: bigint;
  if (rawCursor === '') cursor = order === 'asc' ? 0n : INT64_MAX;
  else if (rawCursor === 'now') cursor = afterLedger(latestLedger);
  else if (/^\d{1,19}$/.test(rawCursor) && BigInt(rawCursor) <= INT64_MAX) cursor = BigInt(rawCursor);
  else throw new HttpProblem(problems.badRequest('cursor', 'cursor: must be a paging token (a positive integer) or "now"'));

  const out: CollectionParams = { cursor, order, limit, rawCursor };
  if (opts.includeFailed) {
    const text = params.get('include_failed') ?? '';
    if (text !== '' && text !== 'true' && text !== 'false') {
      throw new HttpProblem(problems.badRequest('include_failed', 'include_failed: must be "true" or "false"'));
    }
    out.includeFailed = text === 'true';
  }
  const join = params.get('join');
  if (join !== null && join !== '') {
    if (!opts.join || join !== 'transactions') throw new HttpProblem(problems.badRequest('join', 'join: only "transactions" is accepted'));
    out.join = 'transactions';
  }
  return out;
}

/** The `tx` parameter of a submission: form-encoded body (what the SDK sends), JSON body, or query string. */
async function envelopeParam(req: IncomingMessage, url: URL): Promise<string> {
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  let tx: string | null;
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as { tx?: unknown };
      tx = typeof parsed.tx === 'string' ? parsed.tx : null;
    } catch {
      throw new HttpProblem(problems.badRequest('body', 'body is not valid JSON'));
    }
  } else {
    tx = new URLSearchParams(body).get('tx');
  }
  tx ??= url.searchParams.get('tx');
  if (!tx) throw new HttpProblem(problems.badRequest('tx', 'tx is required: a base64 TransactionEnvelope'));
  return tx;
}

/** `order`, `limit` and the raw `cursor` of a collection paged by a key of its own (accounts, claimable balances). */
function keyedPage(p: URLSearchParams): { order: Order; limit: number; cursor: string } {
  const orderText = p.get('order') ?? '';
  if (orderText !== '' && orderText !== 'asc' && orderText !== 'desc')
    throw new HttpProblem(problems.badRequest('order', 'order: invalid value'));
  const limitText = p.get('limit') ?? '';
  if (limitText !== '' && (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT)) {
    throw new HttpProblem(problems.badRequest('limit', `limit: must be an integer between 1 and ${MAX_LIMIT}`));
  }
  return {
    order: orderText === 'desc' ? 'desc' : 'asc',
    limit: limitText ? Number(limitText) : DEFAULT_LIMIT,
    cursor: p.get('cursor') ?? '',
  };
}

function pageLinks(base: string, path: string, q: CollectionParams, records: Array<{ token: string }>): Json {
  const extras: string[] = [];
  if (q.includeFailed) extras.push('include_failed=true');
  if (q.join) extras.push(`join=${q.join}`);
  const href = (cursor: string, order: Order) =>
    `${base}${path}?cursor=${encodeURIComponent(cursor)}&limit=${q.limit}&order=${order}${extras.map((e) => `&${e}`).join('')}`;
  const first = records[0]?.token ?? q.rawCursor;
  const last = records[records.length - 1]?.token ?? q.rawCursor;
  return {
    self: { href: href(q.rawCursor, q.order) },
    next: { href: href(last, q.order) },
    prev: { href: href(first, q.order === 'asc' ? 'desc' : 'asc') },
  };
}

export function createHorizonHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { network } = deps;
  const history = network.history;

  const collection = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    kind: 'transactions' | 'operations' | 'payments' | 'ledgers',
    filter: Omit<RecordFilter, 'includeFailed'> & { includeFailedDefault?: boolean },
  ) => {
    const base = deps.baseUrl();
    const q = parseCollection(req, url.searchParams, network.latestLedger, {
      join: kind === 'operations' || kind === 'payments',
      includeFailed: kind !== 'ledgers',
    });
    const includeFailed = q.includeFailed || Boolean(filter.includeFailedDefault);
    const source: StreamSource = {
      fetch: (cursor, limit) => {
        const page = { cursor, limit, order: q.order };
        if (kind === 'ledgers') return history.queryLedgers(page).map((l) => ({ token: l.id, json: renderLedger(base, l) }));
        if (kind === 'transactions') {
          return history
            .queryTransactions(page, { ...filter, includeFailed })
            .map((t) => ({ token: t.id, json: renderTransaction(base, t) }));
        }
        return history
          .queryOperations(page, { ...filter, includeFailed, paymentsOnly: kind === 'payments' })
          .map((o) => ({ token: o.id, json: renderOperation(base, o, q.join ? history.transaction(o.txHash) : undefined) }));
      },
    };
    if (wantsStream(req)) {
      streamCollection(req, res, network.events, source, { cursor: q.cursor, limit: q.limit }, deps.streams);
      return;
    }
    const records = source.fetch(q.cursor, q.limit);
    send(res, 200, { _links: pageLinks(base, url.pathname, q, records), _embedded: { records: records.map((r) => r.json) } });
  };

  const account = (req: IncomingMessage, res: ServerResponse, id: string) => {
    const render = () => {
      const acc = network.store.account(id);
      return acc ? renderAccount(deps.baseUrl(), network.store, history, acc) : undefined;
    };
    if (wantsStream(req)) {
      streamResource(req, res, network.events, render, deps.streams);
      return;
    }
    const json = render();
    if (!json) throw new HttpProblem(problems.notFound());
    send(res, 200, json);
  };

  /** GET /accounts with exactly one of signer, sponsor or asset (CODE:ISSUER), paged by account id. */
  const accountList = (res: ServerResponse, url: URL) => {
    const p = url.searchParams;
    const filters = (['signer', 'sponsor', 'asset', 'liquidity_pool'] as const).filter((f) => (p.get(f) ?? '') !== '');
    if (filters.length !== 1) {
      throw new HttpProblem(problems.badRequest('signer, sponsor, asset, liquidity_pool', 'exactly one filter is required'));
    }
    const filter = filters[0]!;
    const value = p.get(filter)!;
    if (filter === 'liquidity_pool')
      throw new HttpProblem(problems.badRequest('liquidity_pool', 'liquidity pools are not modelled by this network'));
    if (filter !== 'asset') accountIdParam(value);
    const [code, issuer] = value.split(':');
    if (filter === 'asset' && (!code || !issuer || !StrKey.isValidEd25519PublicKey(issuer))) {
      throw new HttpProblem(problems.badRequest('asset', 'asset must be CODE:ISSUER'));
    }
    const { order, limit, cursor } = keyedPage(p);
    const store = network.store;
    const matches = (id: string): boolean => {
      const acc = store.account(id)!;
      if (filter === 'signer') return acc.signers.some((s) => s.key === value) || (id === value && acc.thresholds[0] > 0);
      if (filter === 'asset') return store.trustlinesOf(id).some((l) => l.asset.code === code && l.asset.issuer === issuer);
      return (
        acc.sponsor === value ||
        acc.signers.some((s) => s.sponsor === value) ||
        store.trustlinesOf(id).some((l) => l.sponsor === value) ||
        store.dataOf(id).some((d) => d.sponsor === value)
      );
    };
    const ids = store
      .all()
      .filter((e) => e.type === 'account')
      .map((e) => (e as { accountId: string }).accountId)
      .filter((id) => (cursor === '' ? true : order === 'asc' ? id > cursor : id < cursor))
      .sort((a, b) => (order === 'asc' ? a.localeCompare(b) : b.localeCompare(a)))
      .filter(matches)
      .slice(0, limit);
    const base = deps.baseUrl();
    const href = (c: string, o: Order) => `${base}/accounts?${filter}=${encodeURIComponent(value)}&cursor=${c}&limit=${limit}&order=${o}`;
    send(res, 200, {
      _links: {
        self: { href: href(cursor, order) },
        next: { href: href(ids[ids.length - 1] ?? cursor, order) },
        prev: { href: href(ids[0] ?? cursor, order === 'asc' ? 'desc' : 'asc') },
      },
      _embedded: { records: ids.map((id) => renderAccount(base, store, history, store.account(id)!)) },
    });
  };

  const claimableBalanceJson = (entry: ClaimableBalanceEntry) =>
    renderClaimableBalance(deps.baseUrl(), entry, history.ledger(entry.lastModifiedLedger)?.closedAt ?? null);

  /**
   * GET /claimable_balances with sponsor, claimant or asset filters (any combination; stellar/go's
   * ClaimableBalancesQuery), ordered by (last_modified_ledger, id), the paging token "<ledger>-<id>".
   */
  const claimableBalanceList = (res: ServerResponse, url: URL) => {
    const p = url.searchParams;
    const sponsor = p.get('sponsor') ?? '';
    const claimant = p.get('claimant') ?? '';
    const assetText = p.get('asset') ?? '';
    if (sponsor) accountIdParam(sponsor);
    if (claimant) accountIdParam(claimant);
    const { order, limit, cursor } = keyedPage(p);
    if (cursor !== '' && !/^\d+-[0-9a-f]{72}$/.test(cursor)) {
      throw new HttpProblem(problems.badRequest('cursor', 'cursor: must be "<ledger>-<balance id>"'));
    }
    const token = (e: ClaimableBalanceEntry) => `${String(e.lastModifiedLedger).padStart(10, '0')}-${e.balanceId}`;
    const cursorKey = cursor ? `${cursor.split('-')[0]!.padStart(10, '0')}-${cursor.split('-')[1]!.slice(8)}` : '';
    const records = network.store
      .claimableBalances()
      .filter((e) => !sponsor || e.sponsor === sponsor)
      .filter((e) => !claimant || e.claimants.some((c) => c.destination === claimant))
      .filter((e) => !assetText || canonicalAsset(e.asset) === assetText)
      .filter((e) => cursorKey === '' || (order === 'asc' ? token(e) > cursorKey : token(e) < cursorKey))
      .sort((a, b) => (order === 'asc' ? token(a).localeCompare(token(b)) : token(b).localeCompare(token(a))))
      .slice(0, limit)
      .map(claimableBalanceJson);
    const filters = [
      sponsor ? `sponsor=${sponsor}&` : '',
      claimant ? `claimant=${claimant}&` : '',
      assetText ? `asset=${encodeURIComponent(assetText)}&` : '',
    ].join('');
    const href = (c: string, o: Order) => `${deps.baseUrl()}/claimable_balances?${filters}cursor=${c}&limit=${limit}&order=${o}`;
    const last = String(records[records.length - 1]?.paging_token ?? cursor);
    const first = String(records[0]?.paging_token ?? cursor);
    send(res, 200, {
      _links: {
        self: { href: href(cursor, order) },
        next: { href: href(last, order) },
        prev: { href: href(first, order === 'asc' ? 'desc' : 'asc') },
      },
      _embedded: { records },
    });
  };

  const routes: Array<{
    method: string;
    pattern: RegExp;
    handle: (req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpMatchArray) => Promise<void> | void;
  }> = [
    {
      method: 'GET',
      pattern: /^\/$/,
      handle: (_req, res) =>
        send(
          res,
          200,
          renderRoot(deps.baseUrl(), {
            latestLedger: network.latestLedger,
            closedAt: network.latestCloseTime,
            networkPassphrase: network.networkPassphrase,
          }),
        ),
    },
    {
      method: 'GET',
      pattern: /^\/fee_stats\/?$/,
      handle: (_req, res) => send(res, 200, renderFeeStats(history, network.latestLedger, network.baseFee)),
    },
    { method: 'GET', pattern: /^\/accounts\/?$/, handle: (_req, res, url) => accountList(res, url) },
    { method: 'GET', pattern: /^\/claimable_balances\/?$/, handle: (_req, res, url) => claimableBalanceList(res, url) },
    {
      method: 'GET',
      pattern: /^\/claimable_balances\/([^/]+)\/?$/,
      handle: (_req, res, _u, m) => {
        // Horizon takes the hex of the XDR ClaimableBalanceID (type v0 then the hash).
        if (!/^00000000[0-9a-f]{64}$/.test(m[1]!)) throw new HttpProblem(problems.badRequest('id', 'id: invalid claimable balance id'));
        const entry = network.store.claimableBalance(m[1]!.slice(8));
        if (!entry) throw new HttpProblem(problems.notFound());
        send(res, 200, claimableBalanceJson(entry));
      },
    },
    { method: 'GET', pattern: /^\/accounts\/([^/]+)\/?$/, handle: (req, res, _u, m) => account(req, res, accountIdParam(m[1]!)) },
    {
      method: 'GET',
      pattern: /^\/accounts\/([^/]+)\/data\/([^/]+)\/?$/,
      handle: (_req, res, _u, m) => {
        const id = accountIdParam(m[1]!);
        const name = decodeURIComponent(m[2]!);
        const entry = network.store.dataOf(id).find((d) => d.name === name);
        if (!entry) throw new HttpProblem(problems.notFound());
        send(res, 200, { value: entry.value, ...(entry.sponsor ? { sponsor: entry.sponsor } : {}) });
      },
    },
    ...(['transactions', 'operations', 'payments'] as const).map((kind) => ({
      method: 'GET',
      pattern: new RegExp(`^/accounts/([^/]+)/${kind}/?$`),
      handle: (req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpMatchArray) =>
        collection(req, res, url, kind, { account: accountIdParam(m[1]!) }),
    })),
    ...(['transactions', 'operations', 'payments'] as const).map((kind) => ({
      method: 'GET',
      pattern: new RegExp(`^/ledgers/([^/]+)/${kind}/?$`),
      handle: (req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpMatchArray) =>
        collection(req, res, url, kind, { ledger: ledgerParam(m[1]!) }),
    })),
    ...(['operations', 'payments'] as const).map((kind) => ({
      method: 'GET',
      pattern: new RegExp(`^/transactions/([^/]+)/${kind}/?$`),
      handle: (req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpMatchArray) =>
        collection(req, res, url, kind, { txHash: txHashParam(m[1]!), includeFailedDefault: true }),
    })),
    { method: 'GET', pattern: /^\/transactions\/?$/, handle: (req, res, url) => collection(req, res, url, 'transactions', {}) },
    { method: 'GET', pattern: /^\/operations\/?$/, handle: (req, res, url) => collection(req, res, url, 'operations', {}) },
    { method: 'GET', pattern: /^\/payments\/?$/, handle: (req, res, url) => collection(req, res, url, 'payments', {}) },
    { method: 'GET', pattern: /^\/ledgers\/?$/, handle: (req, res, url) => collection(req, res, url, 'ledgers', {}) },
    {
      method: 'GET',
      pattern: /^\/transactions\/([^/]+)\/?$/,
      handle: (_req, res, _u, m) => {
        const hash = txHashParam(m[1]!);
        const tx = history.transaction(hash);
        if (!tx) throw new HttpProblem(problems.notFound());
        send(res, 200, renderTransaction(deps.baseUrl(), tx, hash));
      },
    },
    {
      method: 'GET',
      pattern: /^\/operations\/([^/]+)\/?$/,
      handle: (_req, res, url, m) => {
        if (!/^\d{1,19}$/.test(m[1]!)) throw new HttpProblem(problems.badRequest('id', 'id: must be an operation id'));
        const op = history.operation(m[1]!);
        if (!op) throw new HttpProblem(problems.notFound());
        const join = url.searchParams.get('join') === 'transactions';
        send(res, 200, renderOperation(deps.baseUrl(), op, join ? history.transaction(op.txHash) : undefined));
      },
    },
    {
      method: 'GET',
      pattern: /^\/ledgers\/([^/]+)\/?$/,
      handle: (_req, res, _u, m) => {
        const ledger = history.ledger(ledgerParam(m[1]!));
        if (!ledger) throw new HttpProblem(problems.notFound());
        send(res, 200, renderLedger(deps.baseUrl(), ledger));
      },
    },
    {
      method: 'POST',
      pattern: /^\/transactions\/?$/,
      handle: async (req, res, url) => {
        const result = await network.submit(await envelopeParam(req, url));
        const answer = answerSubmission(result, deps.baseUrl());
        send(res, answer.status, answer.body);
      },
    },
    {
      method: 'POST',
      pattern: /^\/transactions_async\/?$/,
      handle: async (req, res, url) => {
        const answer = answerAsyncSubmission(network.accept(await envelopeParam(req, url)));
        send(res, answer.status, answer.body);
      },
    },
    {
      method: 'GET',
      pattern: /^\/friendbot\/?$/,
      handle: async (_req, res, url) => {
        const answer = await deps.faucets.friendbot(url.searchParams.get('addr'));
        send(res, answer.status, answer.body);
      },
    },
    {
      method: 'POST',
      pattern: /^\/friendbot\/?$/,
      handle: async (req, res, url) => {
        const body = await readBody(req);
        const answer = await deps.faucets.friendbot(url.searchParams.get('addr') ?? new URLSearchParams(body).get('addr'));
        send(res, answer.status, answer.body);
      },
    },
    {
      method: 'POST',
      pattern: /^\/faucet\/usdc\/?$/,
      handle: async (req, res) => {
        const text = await readBody(req);
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          throw new HttpProblem(problems.badRequest('body', 'body must be JSON: {"address": "G...", "amount": "100"}'));
        }
        const answer = await deps.faucets.usdcFaucet(body);
        send(res, answer.status, answer.body);
      },
    },
  ];

  return (req, res) => {
    const started = Date.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    } catch {
      send(res, 400, problems.badRequest('url', 'malformed request URL'));
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': '*',
      });
      res.end();
      return;
    }
    if (deps.rateLimiter && !OUTSIDE_HORIZON.test(url.pathname)) {
      const verdict = deps.rateLimiter.take(req.socket.remoteAddress ?? 'unknown');
      for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
      if (!verdict.allowed) {
        send(res, 429, problems.rateLimitExceeded());
        return;
      }
    }
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      send(res, matching.length ? 405 : 404, matching.length ? problems.methodNotAllowed() : problems.notFound());
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res, url, url.pathname.match(route.pattern)!))
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (err instanceof HttpProblem) {
          send(res, Number(err.body.status), err.body);
          return;
        }
        deps.log(
          'horizon request failed',
          { method: req.method, path: url.pathname, error: err instanceof Error ? err.stack : String(err) },
          'error',
        );
        send(res, 500, problems.serverError());
      })
      .finally(() =>
        deps.log('horizon request', { method: req.method, path: url.pathname, status: res.statusCode, ms: Date.now() - started }),
      );
  };
}
