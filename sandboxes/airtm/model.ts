import crypto from 'node:crypto';
import { AirtmError, usd } from './wire';

/**
 * The sandbox Airtm's state: Airtm users with balances, the enterprise's balance, pay-ins and payouts, and the
 * transitions the spec describes. Every transition that has an event in #/webhooks emits it; the others (a pay-in
 * going PROCESSING, a payout COMMITTED or PENDING) have none there and emit none.
 */

export type PayinStatus = 'CREATED' | 'CONFIRMED' | 'CANCELED' | 'PROCESSING' | 'FAILED' | 'BRIDGE_FAILED' | 'BRIDGE_CANCELED';
export type PayoutStatus = 'CREATED' | 'COMMITTED' | 'PENDING' | 'COMPLETED' | 'CANCELED' | 'FAILED';

export interface User {
  id: string;
  email: string;
  /** False for an email a payout was sent to before its owner signed up (not found by GET /users/{email}). */
  registered: boolean;
  status: 'active' | 'inactive';
  isVerified: boolean;
  balanceCents: bigint;
}

export interface PayinItem {
  id: string;
  description: string;
  amountCents: bigint;
  quantity: number;
}

export interface Payin {
  id: string;
  code: string;
  hash: string;
  status: PayinStatus;
  amountCents: bigint;
  feeCents: bigint;
  description: string;
  items: PayinItem[];
  user?: User;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  confirmationUri: string;
  cancelUri: string;
}

export interface Payout {
  id: string;
  hash: string;
  code?: string;
  user: User;
  requireIdVerified: boolean;
  notes: string;
  internalNote?: string;
  status: PayoutStatus;
  grossCents: bigint;
  enterpriseFeeCents: bigint;
  airtmFeeCents: bigint;
  reasonCode?: string;
  reasonDescription?: string;
  createdAt: string;
  updatedAt: string;
}

/** Which #/webhooks event a change sends, with its `data`. */
export type Emit = (type: string, data: Record<string, unknown>) => void;

/** A payout's amount deducted from the enterprise: grossAmount − enterpriseFee (#/components/schemas/PayoutResponse/properties/amount). */
const deducted = (p: Payout) => p.grossCents - p.enterpriseFeeCents;

export class AirtmModel {
  readonly users = new Map<string, User>();
  readonly payins = new Map<string, Payin>();
  readonly payouts = new Map<string, Payout>();
  /** #/components/schemas/Balance: `available`, and `pending` ("the sum of all committed pending payouts"). */
  enterpriseAvailableCents: bigint;

  constructor(
    private readonly emit: Emit,
    opts: { enterpriseBalanceCents: bigint; payinFeeBps: bigint; payoutFeeBps: bigint },
    private readonly now = () => new Date().toISOString(),
  ) {
    this.enterpriseAvailableCents = opts.enterpriseBalanceCents;
    this.payinFeeBps = opts.payinFeeBps;
    this.payoutFeeBps = opts.payoutFeeBps;
  }
  private readonly payinFeeBps: bigint;
  private readonly payoutFeeBps: bigint;

  get enterprisePendingCents(): bigint {
    let sum = 0n;
    for (const p of this.payouts.values()) if (p.status === 'PENDING') sum += deducted(p);
    return sum;
  }

  // ---- users -----------------------------------------------------------------------------------------------------

  /** Adds (or updates) an Airtm user; a user a payout was waiting for gets it now (changelog April 2025). */
  putUser(email: string, opts: { balanceCents?: bigint; status?: 'active' | 'inactive'; isVerified?: boolean } = {}): User {
    const key = email.trim().toLowerCase();
    const user = this.users.get(key) ?? this.newUser(key, true);
    user.registered = true;
    if (opts.balanceCents !== undefined) user.balanceCents = opts.balanceCents;
    if (opts.status !== undefined) user.status = opts.status;
    if (opts.isVerified !== undefined) user.isVerified = opts.isVerified;
    for (const p of this.payouts.values()) if (p.user === user && p.status === 'PENDING') this.deliver(p);
    return user;
  }

  registeredUser(email: string): User | undefined {
    const u = this.users.get(email.trim().toLowerCase());
    return u?.registered ? u : undefined;
  }

  private newUser(email: string, registered: boolean): User {
    const user: User = { id: crypto.randomUUID(), email, registered, status: 'active', isVerified: false, balanceCents: 0n };
    this.users.set(email, user);
    return user;
  }

  // ---- pay-ins ---------------------------------------------------------------------------------------------------

  createPayin(input: Omit<Payin, 'id' | 'hash' | 'status' | 'feeCents' | 'createdAt' | 'updatedAt'>): Payin {
    for (const p of this.payins.values())
      if (p.code === input.code) throw new AirtmError(409, '415029', 'Payin code already exists', { code: input.code });
    const at = this.now();
    const payin: Payin = {
      ...input,
      id: crypto.randomUUID(),
      hash: crypto.randomBytes(16).toString('hex'),
      status: 'CREATED',
      feeCents: (input.amountCents * this.payinFeeBps) / 10_000n,
      createdAt: at,
      updatedAt: at,
    };
    this.payins.set(payin.id, payin);
    this.emit('payin.created', payinJson(payin)); // #/webhooks/payin.created
    return payin;
  }

  payin(id: string): Payin {
    const p = this.payins.get(id);
    if (!p) throw new AirtmError(404, '415031', 'Payin not found', { id });
    return p;
  }

  payinByCode(code: string): Payin {
    for (const p of this.payins.values()) if (p.code === code) return p;
    throw new AirtmError(404, '415031', 'Payin not found', { code });
  }

  /**
   * The user confirms on the hosted page: their balance pays the amount (#/paths/~1payins/post/description, "Usage"
   * 4: "money will be transferred from the user's Airtm wallet, to your account"). `to` PROCESSING holds it there
   * ("User initiated payment, processing in progress") until settlePayin.
   */
  confirmPayin(id: string, email: string, to: 'CONFIRMED' | 'PROCESSING'): Payin {
    const p = this.payin(id);
    if (p.status !== 'CREATED') throw new AirtmError(422, '415032', 'Payin already completed', { status: p.status });
    const user = this.registeredUser(email);
    if (!user) throw new AirtmError(404, '415059', 'No Airtm account with this email', { email });
    if (user.status !== 'active') throw new AirtmError(422, '415010', 'User deleted or banned', { email });
    if (user.balanceCents < p.amountCents) throw new AirtmError(422, '415034', 'User insufficient balance', { email });
    user.balanceCents -= p.amountCents;
    p.user = user;
    if (to === 'PROCESSING') return this.setPayin(p, 'PROCESSING');
    this.enterpriseAvailableCents += p.amountCents - p.feeCents;
    return this.setPayin(p, 'CONFIRMED', 'payin.confirmed');
  }

  /** A PROCESSING pay-in ends CONFIRMED (enterprise credited) or FAILED (the user's money back, with the reason). */
  settlePayin(id: string, outcome: 'CONFIRMED' | 'FAILED', failureReason?: string): Payin {
    const p = this.payin(id);
    if (p.status !== 'PROCESSING') throw new AirtmError(422, '415030', 'Cannot confirm or cancel payin', { status: p.status });
    if (outcome === 'CONFIRMED') {
      this.enterpriseAvailableCents += p.amountCents - p.feeCents;
      return this.setPayin(p, 'CONFIRMED', 'payin.confirmed');
    }
    p.user!.balanceCents += p.amountCents;
    p.failureReason = failureReason ?? 'The payment could not be processed';
    return this.setPayin(p, 'FAILED', 'payin.failed');
  }

  /**
   * DELETE /payins/{id}, or the user's Cancel on the hosted page: a CREATED pay-in only. The operation's description
   * says "Only `PENDING` payins can be canceled", but PENDING is not a #/components/schemas/PayinStatus: the
   * awaiting-the-user status is CREATED ("awaiting user action", FAQ "Payin Statuses").
   */
  cancelPayin(id: string): Payin {
    const p = this.payin(id);
    if (p.status !== 'CREATED') throw new AirtmError(422, '415030', 'Cannot confirm or cancel payin', { status: p.status });
    return this.setPayin(p, 'CANCELED', 'payin.canceled');
  }

  private setPayin(p: Payin, status: PayinStatus, event?: string): Payin {
    p.status = status;
    p.updatedAt = this.now();
    if (event) this.emit(event, payinJson(p));
    return p;
  }

  // ---- payouts ---------------------------------------------------------------------------------------------------

  /**
   * POST /payouts: "Validates recipient and reserves funds" (#/tags[name=Payouts]/description, "Two-Step Process").
   * An email with no Airtm account is accepted: the payout waits PENDING for its owner to sign up
   * (#/components/schemas/PayoutStatus/description, PENDING 1.).
   */
  createPayout(input: {
    email: string;
    grossCents: bigint;
    enterpriseFeeCents: bigint;
    notes: string;
    code?: string;
    internalNote?: string;
    requireIdVerified: boolean;
  }): Payout {
    if (input.code !== undefined)
      for (const p of this.payouts.values())
        if (p.code === input.code) throw new AirtmError(409, '415056', 'Payout code already exists', { code: input.code });
    const user = this.users.get(input.email) ?? this.newUser(input.email, false);
    if (user.status !== 'active') throw new AirtmError(422, '415060', 'Recipient cannot receive payouts', { email: input.email });
    const amount = input.grossCents - input.enterpriseFeeCents;
    if (amount <= 0n) throw new AirtmError(422, '415035', 'Payout amount too small');
    if (amount > this.enterpriseAvailableCents) throw new AirtmError(422, '415016', 'Insufficient balance for payout');
    this.enterpriseAvailableCents -= amount;
    const at = this.now();
    const payout: Payout = {
      id: crypto.randomUUID(),
      hash: crypto.randomBytes(16).toString('hex'),
      code: input.code,
      user,
      requireIdVerified: input.requireIdVerified,
      notes: input.notes,
      internalNote: input.internalNote,
      status: 'CREATED',
      grossCents: input.grossCents,
      enterpriseFeeCents: input.enterpriseFeeCents,
      airtmFeeCents: (amount * this.payoutFeeBps) / 10_000n,
      createdAt: at,
      updatedAt: at,
    };
    this.payouts.set(payout.id, payout);
    this.emit('payout.created', payoutJson(payout)); // #/webhooks/payout.created
    return payout;
  }

  payout(id: string): Payout {
    const p = this.payouts.get(id);
    if (!p) throw new AirtmError(404, '415005', 'Payout not found', { id });
    return p;
  }

  payoutByCode(code: string): Payout {
    for (const p of this.payouts.values()) if (p.code === code) return p;
    throw new AirtmError(404, '415005', 'Payout not found', { code });
  }

  /** POST /payouts/{id}/commit: CREATED → COMMITTED ("committed and is in the process of being executed"). */
  commitPayout(id: string): Payout {
    const p = this.payout(id);
    if (p.status !== 'CREATED') throw new AirtmError(422, '415027', 'Payout already processed', { status: p.status });
    return this.setPayout(p, 'COMMITTED');
  }

  /**
   * Carries out a COMMITTED (or waiting PENDING) payout: COMPLETED when the recipient has an active account (and is
   * ID-verified if the payout requires it), else PENDING, "waiting for the recipient to take the following action"
   * (#/components/schemas/PayoutStatus/description).
   */
  deliver(p: Payout): Payout {
    if (p.status !== 'COMMITTED' && p.status !== 'PENDING') return p;
    const ready = p.user.registered && p.user.status === 'active' && (!p.requireIdVerified || p.user.isVerified);
    if (!ready) {
      p.reasonDescription = p.user.registered
        ? 'Waiting for the recipient to verify their identity'
        : 'Waiting for the recipient to sign up';
      return p.status === 'PENDING' ? p : this.setPayout(p, 'PENDING');
    }
    p.reasonDescription = undefined;
    p.user.balanceCents += deducted(p) - p.airtmFeeCents;
    return this.setPayout(p, 'COMPLETED', 'payout.completed');
  }

  /** A COMMITTED or PENDING payout fails: "funds have been returned to your account" (PayoutStatus FAILED). */
  failPayout(id: string, reasonCode = '415073', reasonDescription?: string): Payout {
    const p = this.payout(id);
    if (p.status !== 'COMMITTED' && p.status !== 'PENDING') throw new AirtmError(422, '415027', 'Payout already processed');
    this.enterpriseAvailableCents += deducted(p);
    p.reasonCode = reasonCode;
    p.reasonDescription = reasonDescription ?? "The payment provider could not deliver the funds to the user's payment method";
    return this.setPayout(p, 'FAILED', 'payout.failed');
  }

  /** DELETE /payouts/{id}: `CREATED` or `PENDING` only; "Funds are automatically returned to the enterprise's balance". */
  cancelPayout(id: string): Payout {
    const p = this.payout(id);
    if (p.status !== 'CREATED' && p.status !== 'PENDING') throw new AirtmError(422, '415055', 'Cannot cancel non-pending payout');
    this.enterpriseAvailableCents += deducted(p);
    return this.setPayout(p, 'CANCELED', 'payout.canceled');
  }

  private setPayout(p: Payout, status: PayoutStatus, event?: string): Payout {
    p.status = status;
    p.updatedAt = this.now();
    if (event) this.emit(event, payoutJson(p));
    return p;
  }
}

/** #/components/schemas/PayinResponse. */
export function payinJson(p: Payin): Record<string, unknown> {
  return {
    id: p.id,
    code: p.code,
    hash: p.hash,
    status: p.status,
    amount: usd(p.amountCents),
    netAmount: usd(p.amountCents - p.feeCents),
    airtmFee: usd(p.feeCents),
    description: p.description,
    items: p.items.map((it) => ({
      description: it.description,
      amount: usd(it.amountCents),
      quantity: it.quantity,
      id: it.id,
      payinId: p.id,
    })),
    ...(p.user ? { airtmUserId: p.user.id, airtmUserEmail: p.user.email } : {}),
    ...(p.failureReason ? { failureReason: p.failureReason } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    confirmationUri: p.confirmationUri,
    cancelUri: p.cancelUri,
  };
}

/** #/components/schemas/PayoutResponse: grossAmount, amount = gross − enterpriseFee, netAmount = amount − airtmFee. */
export function payoutJson(p: Payout): Record<string, unknown> {
  const amount = deducted(p);
  return {
    id: p.id,
    hash: p.hash,
    ...(p.code !== undefined ? { code: p.code } : {}),
    airtmUserId: p.user.id,
    airtmUserEmail: p.user.email,
    requireIdVerified: p.requireIdVerified,
    notes: p.notes,
    ...(p.internalNote !== undefined ? { internalNote: p.internalNote } : {}),
    status: p.status,
    grossAmount: usd(p.grossCents),
    amount: usd(amount),
    netAmount: usd(amount - p.airtmFeeCents),
    airtmFee: usd(p.airtmFeeCents),
    enterpriseFee: usd(p.enterpriseFeeCents),
    ...(p.reasonCode !== undefined ? { reasonCode: p.reasonCode } : {}),
    ...(p.reasonDescription !== undefined ? { reasonDescription: p.reasonDescription } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
