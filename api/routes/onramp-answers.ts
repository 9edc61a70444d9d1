import { z } from 'zod';
import { AppError } from '../../src/errors';
import {
  ONRAMP_ERRORS,
  ONRAMP_STATUSES,
  TERMINAL,
  refusal,
  type OnrampCommand,
  type OnrampErrorCode,
  type OnrampStatus,
} from '../../src/onramp/onramp-state';
import type { OnrampOrderRow } from '../../src/onramp/render';
import type { RouteResult } from '../http/route';

/** Document 003's envelope for the on-ramp routes (api/routes/onramp.ts): its schemas, answers and refusals. */

export const envelope = (inner: z.ZodType) => z.object({ success: z.literal(true), message: z.string(), responseObject: inner });
export const failure = z.object({
  success: z.literal(false),
  message: z.string(),
  responseObject: z.object({
    errorCode: z.string(),
    errorMessage: z.string(),
    canRetry: z.boolean(),
    proofAttemptId: z.string().optional(),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'On the refusals of the shared pipeline (validation, authentication, scopes, limits): what was wrong' }),
  }),
});

export const orderSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    merchantId: z.string(),
    buyerId: z.string(),
    status: z.enum(ONRAMP_STATUSES),
    intentHash: z.string(),
    signalTx: z.string().nullable(),
    fulfillTx: z.string().nullable(),
    returnTx: z.string().nullable().meta({ description: 'The merchant’s reclaim at the expiry, or the return of a support cancel' }),
    balanceId: z.string().nullable().meta({ description: 'The Stellar claimable balance holding the order’s USDC' }),
    paymentPlatform: z.string(),
    fiatCurrency: z.string(),
    amountUsdc: z.string(),
    conversionRate: z.string(),
    recipient: z.string(),
    quote: z.object({ fiatAmount: z.string(), tokenAmount: z.string(), payeeAddress: z.string() }),
    lastError: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .meta({ description: 'Why a stuck order is stuck (SIGNAL_NOT_MINED, FULFILL_TIMEOUT, FULFILL_REVERTED, …)' }),
    expiresAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OnrampOrder' });

export const attemptSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    intentHash: z.string(),
    status: z.enum(['REJECTED', 'VERIFIED', 'FULFILLED', 'FAILED']),
    submittedAt: z.string(),
    verifiedAt: z.string().nullable(),
    verificationError: z.string().nullable(),
    verificationMessage: z.string().nullable(),
    txHash: z.string().nullable(),
    txConfirmedAt: z.string().nullable(),
  })
  .meta({ id: 'OnrampProofAttempt' });

export const merchantSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().meta({ description: 'Its Stellar account: fund it with the USDC it offers' }),
  handles: z.record(z.string(), z.string()),
  status: z.enum(['PENDING', 'ACTIVE']),
  createdAt: z.string(),
});
export const platformName = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a platform name such as venmo');

export const ok = (status: number, message: string, responseObject: unknown): RouteResult => ({
  status,
  body: { success: true, message, responseObject },
});

export function refused(code: OnrampErrorCode, message: string, extra: Record<string, unknown> = {}): RouteResult {
  return {
    status: ONRAMP_ERRORS[code].status,
    body: {
      success: false,
      message: ONRAMP_ERRORS[code].description,
      responseObject: { ...extra, errorCode: code, errorMessage: message, canRetry: ONRAMP_ERRORS[code].canRetry },
    },
  };
}

/** A workflow's refusal (ORDER_ALREADY_FULFILLED, INVALID_STATE) in 003's envelope; anything else is the pipeline's. */
export async function answering(call: () => Promise<RouteResult>): Promise<RouteResult> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AppError && (err.code === 'ORDER_ALREADY_FULFILLED' || err.code === 'INVALID_STATE'))
      return refused(err.code, err.message);
    throw err;
  }
}

/** A finished order's workflow has ended: its refusal is read from the row (the workflow's validators would answer the same). */
export function settledRefusal(o: OnrampOrderRow, command: OnrampCommand): RouteResult | null {
  const r = TERMINAL.has(o.status as OnrampStatus) ? refusal(o.status as OnrampStatus, command) : null;
  return r ? refused(r.code, r.message) : null;
}

export const commandResponses = (done: string) => ({
  200: { description: done, schema: envelope(orderSchema) },
  404: { description: 'ORDER_NOT_FOUND', schema: failure },
  409: { description: 'ORDER_ALREADY_FULFILLED, INVALID_STATE', schema: failure },
});
