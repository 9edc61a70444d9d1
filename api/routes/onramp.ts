import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Actor } from '../../src/audit/actor';
import { AppError } from '../../src/errors';
import { derivedId, isId, newId } from '../../src/ids';
import { idempotentName, idempotentUpdateId, type IdempotentRequest } from '../../src/idempotency';
import { amountSchema, parseAmount } from '../../src/money';
import { fiatAmount, intentHash, parseRate } from '../../src/onramp/intent';
import { createMerchant, renderMerchant } from '../../src/onramp/merchants';
import {
  findMerchant,
  findOnrampOrder,
  findOnrampOrderByIntent,
  insertOnrampOrder,
  insertProofAttempt,
  listProofAttempts,
  type MerchantRow,
} from '../../src/onramp/onramp-repository';
import { claimedIdentifier } from '../../src/onramp/proof-port';
import { renderOnrampOrder, renderProofAttempt } from '../../src/onramp/render';
import { OnrampStatusKey, UserIdKey } from '../../src/temporal/search-attributes';
import { findWallet } from '../../src/wallets/wallets-repository';
import { onrampMerchantWorkflowId, onrampOrderWorkflowId } from '../../workflows/ids';
import { onrampCancel, onrampFulfil, onrampPaymentSent, type OnrampOrderInput } from '../../workflows/messages/onramp';
import type { ApiDeps } from '../context';
import { defineRoute, type RouteResult } from '../http/route';
import {
  answering,
  attemptSchema,
  commandResponses,
  envelope,
  failure,
  merchantSchema,
  ok,
  orderSchema,
  platformName,
  refused,
  settledRefusal,
} from './onramp-answers';
import { text } from '../http/validation';
import { callWorkflow } from '../temporal-calls';
import { requireUser } from './users';

/**
 * The on-ramp (document 003, shared/seeds/003): these routes keep 003's envelope `{success, message, responseObject}`
 * and camelCase names, for answers and for the on-ramp's own refusals (`responseObject: {errorCode, errorMessage,
 * canRetry}`). Authentication, scope, validation and rate-limit refusals come from the shared pipeline in the
 * platform's `{"error": …}` envelope like every route.
 */

/** payment-sent and cancel: the order's workflow runs the command (its validator refuses what the status does not take). */
/**
 * Sends payment-sent or cancel to the order's workflow. A settled order's workflow has ended: its refusal is read from
 * the row, unless the request is keyed: then the update is sent anyway under an id derived from the key (as the
 * orders' steps do, runOrderUpdate), since it may be the very command that settled the order, retried after its answer
 * was lost with its process (the key's claim then frees); Temporal answers a known update id with its outcome, and an
 * unknown one on an ended workflow as not found: the row's refusal.
 */
async function orderCommand(
  deps: ApiDeps,
  id: string,
  command: 'payment-sent' | 'cancel',
  actor: Actor,
  message: string,
  idempotent: IdempotentRequest | undefined,
): Promise<RouteResult> {
  const o = await findOrder(deps, id);
  if (!o) return notFound(id);
  const updateId = idempotent ? idempotentUpdateId(idempotent, `onramp.${command}`) : undefined;
  const settled = settledRefusal(o, command);
  if (settled && !updateId) return settled;
  const update = command === 'cancel' ? onrampCancel : onrampPaymentSent;
  return answering(async () => {
    try {
      const view = await callWorkflow(deps, (client) =>
        client.workflow.getHandle(onrampOrderWorkflowId(o.id)).executeUpdate(update, { args: [actor], updateId }),
      );
      return ok(200, message, view);
    } catch (err) {
      // An ended workflow that never had this update id: the settled order's own refusal. Any other case (a workflow
      // missing for an order still open) is not the caller's to hear as "not found": it goes on as the error it is.
      const refusedNow = err instanceof WorkflowNotFoundError ? settledRefusal((await findOrder(deps, o.id)) ?? o, command) : null;
      if (!refusedNow) throw err;
      return refusedNow;
    }
  });
}

const idParams = z.strictObject({ id: text(64) });
const notFound = (id: string) => refused('ORDER_NOT_FOUND', `No on-ramp order ${id}`);
const findOrder = (deps: ApiDeps, id: string) => (isId('onr', id) ? findOnrampOrder(deps.database.db, id) : Promise.resolve(undefined));

async function activeMerchant(deps: ApiDeps, id: string): Promise<MerchantRow> {
  const m = isId('mer', id) ? await findMerchant(deps.database.db, id) : undefined;
  if (!m) throw new AppError('NOT_FOUND', 'Merchant not found', { merchant_id: id });
  if (m.status !== 'ACTIVE') throw new AppError('INVALID_STATE', 'The merchant’s account is not active on chain yet', { merchant_id: id });
  return m;
}

export const onrampRoutes = [
  defineRoute({
    method: 'post',
    path: '/onramp/merchants',
    tag: 'On-ramp',
    summary: 'Register a merchant (liquidity provider)',
    description:
      'Generates the merchant’s Stellar account (its secret sealed like a wallet’s) and creates it on chain with a USDC trustline, reserves sponsored by the platform (status PENDING until then). Fund its address with the USDC it offers.',
    access: 'support',
    idempotency: { window: '7d' },
    body: z.strictObject({
      name: text(100).regex(/\S/, 'must not be blank'),
      handles: z
        .record(platformName, text(128))
        .refine((h) => Object.keys(h).length > 0, 'at least one payment platform handle')
        .meta({ description: 'The merchant’s handle per payment platform, e.g. {"venmo": "@merchant-venmo"}' }),
    }),
    responses: { 201: { description: 'Registered', schema: envelope(merchantSchema) } },
    async handle({ body, deps, idempotent }) {
      const id = idempotent ? derivedId('mer', idempotentName(idempotent, 'onramp.merchant')) : newId('mer');
      const m = await createMerchant(deps.database.db, deps.walletBox, { name: body.name, handles: body.handles }, id);
      await callWorkflow(deps, (client) =>
        client.workflow.start('onrampMerchantActivation', {
          workflowId: onrampMerchantWorkflowId(m.id),
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          args: [{ merchantId: m.id }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        }),
      );
      return ok(201, 'Merchant registered', renderMerchant(m));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onramp/merchants/:id',
    tag: 'On-ramp',
    summary: 'Get a merchant',
    access: 'read',
    params: idParams,
    responses: { 200: { description: 'The merchant', schema: envelope(merchantSchema) } },
    async handle({ params, deps }) {
      const m = isId('mer', params.id) ? await findMerchant(deps.database.db, params.id) : undefined;
      if (!m) throw new AppError('NOT_FOUND', 'Merchant not found', { merchant_id: params.id });
      return ok(200, 'Merchant', renderMerchant(m));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onramp/orders',
    tag: 'On-ramp',
    summary: 'Create an on-ramp order session',
    description:
      'The buyer will pay the merchant `amountUsdc × conversionRate` in fiat on the payment platform and receive `amountUsdc` in its marketplace balance. The order’s workflow signals the intent at once: the merchant’s USDC is locked on Stellar in a claimable balance the buyer’s wallet may claim until `expiresAt` (ONRAMP_ORDER_TTL_MS) and the merchant after it.',
    access: 'write',
    idempotency: { window: '7d' },
    body: z.strictObject({
      merchantId: text(64),
      buyerId: text(64),
      amountUsdc: amountSchema,
      paymentPlatform: platformName,
      fiatCurrency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
      conversionRate: z.string().regex(/^\d{1,12}(\.\d{1,8})?$/, 'fiat per USDC, a decimal with at most 8 places'),
      recipient: text(128).meta({
        description: 'The merchant’s handle on the payment platform (one of its `handles`; the proof must show it as the receiver)',
      }),
    }),
    responses: {
      201: { description: 'SESSION_CREATED; the signal follows', schema: envelope(orderSchema) },
      404: { description: 'USER_NOT_FOUND, NOT_FOUND (merchant)' },
      409: { description: 'INVALID_STATE: the buyer’s wallet or the merchant is not active yet' },
    },
    async handle({ body, deps, idempotent, actor }) {
      const rate = parseRate(body.conversionRate);
      if (!rate) {
        throw new AppError('VALIDATION_ERROR', 'conversionRate must be above zero', {
          fields: [{ field: 'body.conversionRate', code: 'not_positive', message: 'must be above zero' }],
        });
      }
      const merchant = await activeMerchant(deps, body.merchantId);
      if (merchant.handles[body.paymentPlatform] !== body.recipient) {
        throw new AppError('VALIDATION_ERROR', 'recipient must be the merchant’s handle on this payment platform', {
          fields: [{ field: 'body.recipient', code: 'not_merchant_handle', message: 'not the merchant’s handle on paymentPlatform' }],
        });
      }
      const buyer = await requireUser(deps.database.db, body.buyerId);
      const wallet = await findWallet(deps.database.db, buyer.id);
      if (!wallet || wallet.status !== 'ACTIVE')
        throw new AppError('INVALID_STATE', 'The buyer’s wallet is not active yet', { user_id: buyer.id });
      const id = idempotent ? derivedId('onr', idempotentName(idempotent, 'onramp.create')) : newId('onr');
      const existing = await findOnrampOrder(deps.database.db, id);
      const amount = parseAmount(body.amountUsdc);
      const expiresAt = existing?.expiresAt ?? new Date(Math.ceil((Date.now() + deps.config.ONRAMP_ORDER_TTL_MS) / 1000) * 1000);
      const order =
        existing ??
        (await insertOnrampOrder(
          deps.database.db,
          {
            id,
            sessionId: `sess_${id.slice(4)}`,
            merchantId: merchant.id,
            buyerId: buyer.id,
            buyerAddress: wallet.publicKey,
            intentHash: intentHash({
              orderId: id,
              merchantId: merchant.id,
              merchantAddress: merchant.publicKey,
              buyerId: buyer.id,
              buyerAddress: wallet.publicKey,
              amountMinor: amount,
              expiresAtEpoch: expiresAt.getTime() / 1000,
            }),
            paymentPlatform: body.paymentPlatform,
            fiatCurrency: body.fiatCurrency,
            amount,
            conversionRate: body.conversionRate,
            fiatAmount: fiatAmount(amount, rate),
            recipient: body.recipient,
            expiresAt,
          },
          actor,
        ));
      const input: OnrampOrderInput = {
        orderId: order.id,
        expiresAt: order.expiresAt.toISOString(),
        fulfilTimeoutMs: deps.config.ONRAMP_FULFILL_TIMEOUT_MS,
      };
      await callWorkflow(deps, (client) =>
        client.workflow.start('onrampOrder', {
          workflowId: onrampOrderWorkflowId(order.id),
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          typedSearchAttributes: [
            { key: UserIdKey, value: buyer.id },
            { key: OnrampStatusKey, value: 'SESSION_CREATED' },
          ],
        }),
      );
      return ok(201, 'Order session created', renderOnrampOrder(order));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onramp/orders/:id',
    tag: 'On-ramp',
    summary: 'Get an on-ramp order',
    access: 'read',
    params: idParams,
    responses: {
      200: { description: 'The order', schema: envelope(orderSchema) },
      404: { description: 'ORDER_NOT_FOUND', schema: failure },
    },
    async handle({ params, deps }) {
      const o = await findOrder(deps, params.id);
      return o ? ok(200, 'Order', renderOnrampOrder(o)) : notFound(params.id);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onramp/orders/:id/payment-sent',
    tag: 'On-ramp',
    summary: 'Mark the fiat payment as sent (SIGNAL_MINED → PAYMENT_SENT)',
    access: 'write',
    idempotency: { window: '7d' },
    params: idParams,
    responses: commandResponses('PAYMENT_SENT'),
    handle: ({ params, deps, actor, idempotent }) =>
      orderCommand(deps, params.id, 'payment-sent', actor, 'Payment marked as sent', idempotent),
  }),
  defineRoute({
    method: 'post',
    path: '/onramp/orders/fulfill',
    tag: 'On-ramp',
    summary: 'Submit a payment proof to verify and fulfil the order',
    description:
      'Verifies the Reclaim proof offline (witness signatures, the intent hash in its context, amount, currency, recipient, payment time) and records the attempt whatever its outcome. A valid proof claims the USDC into the buyer’s wallet and raises the buyer’s marketplace balance by amountUsdc once (FULFILLED). PROOF_INVALID and PROOF_EXPIRED may be retried with a new proof; a proof (or the payment it proves) is never accepted twice.',
    access: 'write',
    body: z.strictObject({
      intentHash: z.string().regex(/^0x[0-9a-f]{64}$/, 'the order’s intent hash (0x + 64 hex)'),
      proof: z.record(z.string(), z.unknown()).meta({ description: 'The Reclaim proof: identifier, claimData, signatures, witnesses' }),
    }),
    responses: {
      200: {
        description: 'FULFILLED',
        schema: envelope(z.object({ order: orderSchema, proofAttemptId: z.string(), txHash: z.string().nullable() })),
      },
      404: { description: 'ORDER_NOT_FOUND', schema: failure },
      409: { description: 'ORDER_ALREADY_FULFILLED, INVALID_STATE', schema: failure },
      422: { description: 'PROOF_INVALID, PROOF_EXPIRED (canRetry: true)', schema: failure },
      502: { description: 'FULFILL_REVERTED (canRetry: false)', schema: failure },
      504: { description: 'FULFILL_TIMEOUT (canRetry: false)', schema: failure },
    },
    async handle({ body, deps, actor }) {
      const o = await findOnrampOrderByIntent(deps.database.db, body.intentHash);
      if (!o) return refused('ORDER_NOT_FOUND', 'No on-ramp order has this intent hash');
      const settled = settledRefusal(o, 'fulfill');
      if (settled) {
        // Recorded too: every proof submitted for an order is an attempt with its outcome.
        const body003 = settled.body as { responseObject: { errorCode: string; errorMessage: string } };
        const attempt = await insertProofAttempt(deps.database.db, {
          id: newId('proof'),
          orderId: o.id,
          intentHash: o.intentHash,
          proofIdentifier: claimedIdentifier(body.proof),
          status: 'REJECTED',
          verificationError: body003.responseObject.errorCode,
          verificationMessage: body003.responseObject.errorMessage,
        });
        return { ...settled, body: { ...body003, responseObject: { proofAttemptId: attempt.id, ...body003.responseObject } } };
      }
      return answering(async () => {
        const r = await callWorkflow(deps, (client) =>
          client.workflow.getHandle(onrampOrderWorkflowId(o.id)).executeUpdate(onrampFulfil, { args: [{ proof: body.proof, by: actor }] }),
        );
        if (r.outcome === 'FULFILLED') {
          return ok(200, 'Order fulfilled successfully', { order: r.order, proofAttemptId: r.attempt.id, txHash: r.order.fulfillTx });
        }
        return refused(r.code, r.message, r.attempt ? { proofAttemptId: r.attempt.id } : {});
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onramp/orders/:id/proof-attempts',
    tag: 'On-ramp',
    summary: 'List an order’s proof attempts, oldest first',
    access: 'read',
    params: idParams,
    responses: {
      200: { description: 'Every attempt with its outcome', schema: envelope(z.object({ proofAttempts: z.array(attemptSchema) })) },
      404: { description: 'ORDER_NOT_FOUND', schema: failure },
    },
    async handle({ params, deps }) {
      const o = await findOrder(deps, params.id);
      if (!o) return notFound(params.id);
      const attempts = await listProofAttempts(deps.database.db, o.id);
      return ok(200, 'Proof attempts', { proofAttempts: attempts.map(renderProofAttempt) });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onramp/orders/:id/cancel',
    tag: 'On-ramp',
    summary: 'Cancel an order (support): the merchant’s USDC goes back on chain',
    access: 'support',
    idempotency: { window: '7d' },
    params: idParams,
    responses: commandResponses('CANCELLED'),
    handle: ({ params, deps, actor, idempotent }) => orderCommand(deps, params.id, 'cancel', actor, 'Order cancelled', idempotent),
  }),
];
