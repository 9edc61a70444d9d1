import type { AirtmSandbox, CallFault } from './types';
import { AirtmError, invalid, type Body } from './wire';

/**
 * The sandbox's own commands over HTTP under `/_sandbox/` (not part of Airtm's API): what the handle's methods do, for
 * a process that only has the URL (npm start, a browser test). Same HTTP Basic credentials as /v2; JSON in and out.
 *
 *   PUT  /_sandbox/users/{email}          {balance?, isVerified?, status?}   add or change an Airtm user
 *   GET  /_sandbox/balances               {enterprise: {available, pending}, users: {email: balance}}
 *   POST /_sandbox/confirm-outcome        {outcome: "CONFIRMED" | "PROCESSING"}
 *   POST /_sandbox/payins/{id}/settle     {outcome: "CONFIRMED" | "FAILED", failureReason?}
 *   POST /_sandbox/payouts/hold           {held: boolean}
 *   POST /_sandbox/payouts/{id}/fail      {reasonCode?, reasonDescription?}
 *   POST /_sandbox/faults                 {kind: 500 | 429 | "timeout", count?, retryAfterSeconds?}
 *   POST /_sandbox/webhooks/drop          {n?}
 *   POST /_sandbox/webhooks/duplicate     {n?, copies?}
 *   POST /_sandbox/webhooks/delay         {ms, n?}
 *   POST /_sandbox/webhooks/hold          {}
 *   POST /_sandbox/webhooks/release       {reverse?}
 *   GET  /_sandbox/webhooks               the deliveries: [{svixId, type, dataId, attempts, delivered, dropped}]
 */
export function adminRoute(sandbox: AirtmSandbox, users: () => string[], method: string, path: string, body: Body): [number, unknown] {
  const num = (field: string, fallback?: number): number => {
    const v = body[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`${field} must be a whole number ≥ 0`);
    return v;
  };
  const key = path === '/payouts/hold' ? `${method} ${path}` : `${method} ${path.replace(/\/(payins|payouts|users)\/[^/]+/, '/$1/:x')}`;
  const param = decodeURIComponent(/\/(?:payins|payouts|users)\/([^/]+)/.exec(path)?.[1] ?? '');
  switch (key) {
    case 'PUT /users/:x': {
      sandbox.putUser(param, {
        balance: body.balance === undefined ? undefined : String(body.balance),
        isVerified: typeof body.isVerified === 'boolean' ? body.isVerified : undefined,
        status: body.status === 'active' || body.status === 'inactive' ? body.status : undefined,
      });
      return [200, { email: param.trim().toLowerCase(), balance: sandbox.balanceOf(param) }];
    }
    case 'GET /balances':
      return [200, { enterprise: sandbox.enterpriseBalance(), users: Object.fromEntries(users().map((e) => [e, sandbox.balanceOf(e)])) }];
    case 'POST /confirm-outcome':
      if (body.outcome !== 'CONFIRMED' && body.outcome !== 'PROCESSING') throw invalid('outcome must be CONFIRMED or PROCESSING');
      sandbox.setConfirmOutcome(body.outcome);
      return [204, undefined];
    case 'POST /payins/:x/settle':
      if (body.outcome !== 'CONFIRMED' && body.outcome !== 'FAILED') throw invalid('outcome must be CONFIRMED or FAILED');
      sandbox.settlePayin(param, body.outcome, typeof body.failureReason === 'string' ? body.failureReason : undefined);
      return [204, undefined];
    case 'POST /payouts/hold':
      sandbox.holdPayouts(body.held === true);
      return [204, undefined];
    case 'POST /payouts/:x/fail':
      sandbox.failPayout(
        param,
        typeof body.reasonCode === 'string' ? body.reasonCode : undefined,
        typeof body.reasonDescription === 'string' ? body.reasonDescription : undefined,
      );
      return [204, undefined];
    case 'POST /faults': {
      const kind = body.kind;
      let fault: CallFault;
      if (kind === 500 || kind === 'timeout') fault = { kind };
      else if (kind === 429) fault = { kind, retryAfterSeconds: num('retryAfterSeconds', 1) };
      else throw invalid('kind must be 500, 429 or "timeout"');
      sandbox.failNext(fault, num('count', 1));
      return [204, undefined];
    }
    case 'POST /webhooks/drop':
      sandbox.webhooks.dropNext(num('n', 1));
      return [204, undefined];
    case 'POST /webhooks/duplicate':
      sandbox.webhooks.duplicateNext(num('n', 1), num('copies', 2));
      return [204, undefined];
    case 'POST /webhooks/delay':
      sandbox.webhooks.delayNext(num('ms'), num('n', 1));
      return [204, undefined];
    case 'POST /webhooks/hold':
      sandbox.webhooks.hold();
      return [204, undefined];
    case 'POST /webhooks/release':
      return [200, { released: sandbox.webhooks.release({ reverse: body.reverse === true }) }];
    case 'GET /webhooks':
      return [200, sandbox.webhooks.deliveries().map(({ body: _body, ...d }) => d)];
    default:
      throw new AirtmError(404, '415902', 'Item not found');
  }
}
