/**
 * The sandbox Stellar network: a Horizon-compatible server over a ledger of the project's own. See server.ts for
 * `startStellarSandbox` and host-functions.ts for the invokeHostFunction extension point.
 */
export { startStellarSandbox, type StellarSandbox, type StellarSandboxOptions } from './server';
export type {
  BalanceChange,
  HostFunctionFailure,
  HostFunctionHandler,
  HostFunctionInvocation,
  HostFunctionOutcome,
  HostLedger,
  TransferFailure,
} from './host-functions';
export { formatStroops, parseAmount } from './amounts';
export { ledgerIntervalFromEnv } from './ledger-interval';
