import type { xdr } from '@stellar/stellar-sdk';
import { bumpSequence } from './bump-sequence';
import { changeTrust } from './change-trust';
import { claimClaimableBalance, createClaimableBalance } from './claimable-balance';
import { createAccount } from './create-account';
import { invokeHostFunction } from './invoke-host-function';
import { manageData } from './manage-data';
import { pathPaymentStrictReceive, pathPaymentStrictSend } from './path-payment';
import { payment } from './payment';
import { setOptions } from './set-options';
import { setTrustLineFlags } from './set-trust-line-flags';
import { beginSponsoringFutureReserves, endSponsoringFutureReserves } from './sponsoring';
import type { OperationHandler } from './types';

/**
 * The operations the sandbox applies, keyed by the XDR OperationType name. Any other operation type is refused
 * at validation with op_not_supported (the transaction is not included, nothing is charged).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler takes its own operation type; the dispatcher picks it by type name
export const OPERATION_HANDLERS: Partial<Record<string, OperationHandler<any>>> = {
  createAccount,
  payment,
  pathPaymentStrictReceive,
  pathPaymentStrictSend,
  setOptions,
  changeTrust,
  manageData,
  bumpSequence,
  beginSponsoringFutureReserves,
  endSponsoringFutureReserves,
  setTrustLineFlags,
  createClaimableBalance,
  claimClaimableBalance,
  invokeHostFunction,
};

export function handlerFor(body: xdr.OperationBody): OperationHandler<unknown> | undefined {
  return OPERATION_HANDLERS[body.switch().name];
}

/** The operation body's value as the handlers take it (null for body-less operations). */
export function bodyValue(body: xdr.OperationBody): unknown {
  return body.value() ?? null;
}
