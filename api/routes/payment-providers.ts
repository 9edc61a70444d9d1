import { type PaymentProvider, providerEnabled } from '../../src/config';
import { AppError } from '../../src/errors';
import type { ApiDeps } from '../context';

/** 409 PROVIDER_NOT_ENABLED unless PAYMENT_PROVIDER enables `provider` (the other rail's routes are refused). */
export function requireProvider(deps: ApiDeps, provider: PaymentProvider): void {
  if (!providerEnabled(deps.config, provider))
    throw new AppError('PROVIDER_NOT_ENABLED', `This platform does not offer ${provider === 'airtm' ? 'Airtm' : 'Stellar'} payments`, {
      provider,
      enabled: deps.config.PAYMENT_PROVIDER,
    });
}
