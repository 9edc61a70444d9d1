import { StellarTransientError } from '../stellar/submitter';
import { WalletActivationRefused } from './activation-refused';

const UNAVAILABLE =
  'PROVIDER_UNAVAILABLE: The Stellar network could not be reached or did not answer in time; the activation is being retried.';
const INTERNAL = 'INTERNAL_ERROR: The activation failed unexpectedly; an operator can read the details in the worker’s logs.';

/**
 * `last_error` on a wallet, as stored and as every `read` key sees it (GET /users/{id}/wallet/deposit, wallet.*
 * events): `CODE: a sentence of ours`, with the network's result codes when it refused. Never the exception's text,
 * which can carry hosts, ports or a library's message: the activity logs that with the user id.
 */
export function walletLastError(err: unknown): string {
  if (err instanceof WalletActivationRefused && err.resultCodes !== null) {
    return `PROVIDER_ERROR: The Stellar network refused the activation (result codes ${err.resultCodes}); asking again retries it.`;
  }
  return err instanceof StellarTransientError ? UNAVAILABLE : INTERNAL;
}

/** A stored `last_error` as shown: a row written before the shape above (an exception's text) shows as INTERNAL_ERROR. */
export function shownWalletError(stored: string | null): string | null {
  if (stored === null) return null;
  return /^(PROVIDER_ERROR|PROVIDER_UNAVAILABLE|INTERNAL_ERROR): /.test(stored) ? stored : INTERNAL;
}
