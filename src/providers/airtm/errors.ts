import { ProviderRefusal, ProviderUnavailable } from '../provider-errors';

/**
 * Airtm refused the request (its reason code in `code`; `knownCode` false for an unknown code, Airtm's
 * "unexpected"/"unknown" error or an unreadable answer): see ProviderRefusal.
 */
export class AirtmRefusal extends ProviderRefusal {
  override name = 'AirtmRefusal';
}

/** Airtm could not be reached or failed (timeout, 5xx without a reason code, 429): retry later. */
export class AirtmUnavailable extends ProviderUnavailable {
  override name = 'AirtmUnavailable';
}
