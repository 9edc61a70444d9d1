import type { Config } from '../config';
import type { ProofPolicy } from './proof-port';

/** The proof policy from ONRAMP_* configuration. */
export function onrampProofPolicy(config: Config): ProofPolicy {
  return {
    witnesses: config.ONRAMP_WITNESSES ? config.ONRAMP_WITNESSES.split(',').map((w) => w.toLowerCase()) : [],
    threshold: config.ONRAMP_WITNESS_THRESHOLD,
    paymentBufferSeconds: config.ONRAMP_PAYMENT_BUFFER_SECONDS,
    maxProofAgeSeconds: config.ONRAMP_MAX_PROOF_AGE_SECONDS,
  };
}
