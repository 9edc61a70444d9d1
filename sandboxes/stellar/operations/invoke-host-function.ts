import crypto from 'node:crypto';
import { Address, xdr } from '@stellar/stellar-sdk';
import { LayerHostLedger, renderBalanceChanges, type HostFunctionFailure } from '../host-functions';
import { opResult } from '../results';
import type { OperationHandler } from './types';

const FAILURE_CODES = {
  trapped: 'invokeHostFunctionTrapped',
  malformed: 'invokeHostFunctionMalformed',
  resource_limit_exceeded: 'invokeHostFunctionResourceLimitExceeded',
  entry_archived: 'invokeHostFunctionEntryArchived',
  insufficient_refundable_fee: 'invokeHostFunctionInsufficientRefundableFee',
} as const satisfies Record<HostFunctionFailure, string>;

const FUNCTION_NAMES: Record<string, string> = {
  hostFunctionTypeInvokeContract: 'HostFunctionTypeHostFunctionTypeInvokeContract',
  hostFunctionTypeCreateContract: 'HostFunctionTypeHostFunctionTypeCreateContract',
  hostFunctionTypeUploadContractWasm: 'HostFunctionTypeHostFunctionTypeUploadContractWasm',
  hostFunctionTypeCreateContractV2: 'HostFunctionTypeHostFunctionTypeCreateContractV2',
};

/** Horizon's parameter type names for ScVals (its serializer trims the XDR enum's "Scv" prefix). */
function scValType(v: xdr.ScVal): string {
  const name = v.switch().name.replace(/^scv/, '');
  return name === 'Symbol' ? 'Sym' : name;
}

/**
 * InvokeHostFunctionOpFrame, delegated to the registered host-function handlers (see host-functions.ts). The
 * success result is the sha256 of InvokeHostFunctionSuccessPreImage, as in stellar-core.
 */
export const invokeHostFunction: OperationHandler<xdr.InvokeHostFunctionOp> = {
  threshold: () => 'medium',

  checkValid: () => null,

  apply(body, ctx) {
    const ledger = new LayerHostLedger(ctx.ltx, ctx.header.ledgerSeq);
    const outcome = ctx.hostFunctions.invoke({
      hostFunction: body.hostFunction(),
      auth: body.auth(),
      sourceAccount: ctx.source.id,
      txHash: ctx.txHash.toString('hex'),
      ledgerSeq: ctx.header.ledgerSeq,
      closeTime: ctx.header.closeTime,
      networkPassphrase: ctx.networkPassphrase,
      ledger,
    });
    if (!outcome.ok) return { result: opResult('invokeHostFunction', FAILURE_CODES[outcome.failure]) };
    const returnValue = outcome.returnValue ?? xdr.ScVal.scvVoid();
    const events = outcome.events ?? [];
    const preimage = new xdr.InvokeHostFunctionSuccessPreImage({ returnValue, events });
    const hash = crypto.createHash('sha256').update(preimage.toXDR()).digest();
    const participants = ledger.changes.flatMap((c) => [c.from, c.to]).filter((a) => a.startsWith('G'));
    return {
      result: opResult('invokeHostFunction', 'invokeHostFunctionSuccess', hash),
      recordFields: { asset_balance_changes: renderBalanceChanges(ledger.changes) },
      participants,
      isPayment: ledger.changes.length > 0,
      soroban: { returnValue, events },
    };
  },

  describe(body, ctx) {
    const fn = body.hostFunction();
    const fields: Record<string, unknown> = {
      function: FUNCTION_NAMES[fn.switch().name] ?? fn.switch().name,
      parameters: [] as Array<{ value: string; type: string }>,
      address: '',
      salt: '',
      asset_balance_changes: [],
    };
    if (fn.switch().name === 'hostFunctionTypeInvokeContract') {
      const args = fn.invokeContract();
      const params = [xdr.ScVal.scvAddress(args.contractAddress()), xdr.ScVal.scvSymbol(args.functionName()), ...args.args()];
      fields.parameters = params.map((p) => ({ value: p.toXDR('base64'), type: scValType(p) }));
      fields.address = Address.fromScAddress(args.contractAddress()).toString();
    }
    return { type: 'invoke_host_function', typeI: 24, fields, participants: [ctx.source.id], isPayment: false };
  },
};
