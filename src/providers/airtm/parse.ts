import { AirtmRefusal } from './errors';
import { fromAirtmAmount } from './amounts';
import { PAYIN_STATUSES, PAYOUT_STATUSES, type AirtmUser, type Payin, type Payout } from './types';

/**
 * An Airtm answer this adapter cannot read exactly (a missing field, an unknown status, an inexact amount): a refusal
 * an operator must look at (`knownCode` false), never taken at a guess nor retried as an outage.
 */
class AirtmUnreadable extends AirtmRefusal {
  constructor(message: string) {
    super(200, `unreadable Airtm answer: ${message}`, null, null, false);
  }
}

type Obj = Record<string, unknown>;

function object(v: unknown, what: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AirtmUnreadable(`${what} is not an object`);
  return v as Obj;
}
function text(o: Obj, field: string, what: string): string {
  if (typeof o[field] !== 'string') throw new AirtmUnreadable(`${what}.${field} is not a string`);
  return o[field] as string;
}
function optText(o: Obj, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}
function money(o: Obj, field: string, what: string): bigint {
  const v = fromAirtmAmount(o[field]);
  if (v === null) throw new AirtmUnreadable(`${what}.${field} is not an exact amount: ${JSON.stringify(o[field])}`);
  return v;
}
function optMoney(o: Obj, field: string, what: string): bigint | undefined {
  return o[field] === undefined || o[field] === null ? undefined : money(o, field, what);
}
function oneOf<T extends string>(o: Obj, field: string, allowed: readonly T[], what: string): T {
  const v = o[field];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new AirtmUnreadable(`${what}.${field} is not a known status: ${JSON.stringify(v)}`);
  return v as T;
}

/** #/components/schemas/PayinResponse → Payin (amounts in stroops). */
export function parsePayin(body: unknown): Payin {
  const o = object(body, 'payin');
  const items = o.items;
  if (!Array.isArray(items)) throw new AirtmUnreadable('payin.items is not an array');
  return {
    id: text(o, 'id', 'payin'),
    code: text(o, 'code', 'payin'),
    hash: optText(o, 'hash'),
    status: oneOf(o, 'status', PAYIN_STATUSES, 'payin'),
    amount: money(o, 'amount', 'payin'),
    netAmount: money(o, 'netAmount', 'payin'),
    airtmFee: money(o, 'airtmFee', 'payin'),
    description: text(o, 'description', 'payin'),
    items: items.map((raw, i) => {
      const it = object(raw, `payin.items[${i}]`);
      const quantity = it.quantity;
      if (typeof quantity !== 'number') throw new AirtmUnreadable(`payin.items[${i}].quantity is not a number`);
      return {
        id: text(it, 'id', `payin.items[${i}]`),
        payinId: text(it, 'payinId', `payin.items[${i}]`),
        description: text(it, 'description', `payin.items[${i}]`),
        amount: money(it, 'amount', `payin.items[${i}]`),
        quantity,
      };
    }),
    airtmUserId: optText(o, 'airtmUserId'),
    airtmUserEmail: optText(o, 'airtmUserEmail'),
    failureReason: optText(o, 'failureReason'),
    createdAt: text(o, 'createdAt', 'payin'),
    updatedAt: text(o, 'updatedAt', 'payin'),
    confirmationUri: text(o, 'confirmationUri', 'payin'),
    cancelUri: text(o, 'cancelUri', 'payin'),
  };
}

/** #/components/schemas/PayoutResponse → Payout (amounts in stroops; `reasonCode` as a string). */
export function parsePayout(body: unknown): Payout {
  const o = object(body, 'payout');
  return {
    id: text(o, 'id', 'payout'),
    bulkPayoutId: optText(o, 'bulkPayoutId'),
    hash: optText(o, 'hash'),
    code: optText(o, 'code'),
    airtmUserId: text(o, 'airtmUserId', 'payout'),
    airtmUserEmail: text(o, 'airtmUserEmail', 'payout'),
    requireIdVerified: typeof o.requireIdVerified === 'boolean' ? o.requireIdVerified : undefined,
    notes: optText(o, 'notes'),
    internalNote: optText(o, 'internalNote'),
    status: oneOf(o, 'status', PAYOUT_STATUSES, 'payout'),
    grossAmount: money(o, 'grossAmount', 'payout'),
    amount: money(o, 'amount', 'payout'),
    netAmount: money(o, 'netAmount', 'payout'),
    airtmFee: optMoney(o, 'airtmFee', 'payout'),
    enterpriseFee: optMoney(o, 'enterpriseFee', 'payout'),
    reasonCode: optText(o, 'reasonCode'),
    reasonDescription: optText(o, 'reasonDescription'),
    createdAt: text(o, 'createdAt', 'payout'),
    updatedAt: text(o, 'updatedAt', 'payout'),
  };
}

/** #/components/schemas/User. */
export function parseUser(body: unknown): AirtmUser {
  const o = object(body, 'user');
  const status = o.status;
  if (status !== 'active' && status !== 'inactive') throw new AirtmUnreadable(`user.status is not known: ${JSON.stringify(status)}`);
  if (typeof o.primaryEmail !== 'boolean' || typeof o.isVerified !== 'boolean')
    throw new AirtmUnreadable('user.primaryEmail and user.isVerified must be booleans');
  return {
    id: text(o, 'id', 'user'),
    status,
    primaryEmail: o.primaryEmail,
    isVerified: o.isVerified,
    firstName: optText(o, 'firstName'),
    lastName: optText(o, 'lastName'),
    country: optText(o, 'country'),
  };
}

/** #/components/schemas/Balance, in stroops. */
export function parseBalance(body: unknown): { available: bigint; pending: bigint } {
  const o = object(body, 'balance');
  return { available: money(o, 'available', 'balance'), pending: money(o, 'pending', 'balance') };
}
