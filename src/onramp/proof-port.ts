import type { ProofExpectations, ProofVerdict } from './proof';

/** The verifier as the on-ramp steps take it (the worker injects `verifyProof` from ./proof). */
export type VerifyProof = (proof: unknown, expect: ProofExpectations) => ProofVerdict;

/** What the operator configures for verification (ONRAMP_* variables). */
export interface ProofPolicy {
  witnesses: string[];
  threshold: number;
  paymentBufferSeconds: number;
  maxProofAgeSeconds: number;
}

/** The identifier a proof claims (to record a rejected attempt by it); null when it has none. */
export function claimedIdentifier(proof: unknown): string | null {
  const id = (proof as { identifier?: unknown } | null)?.identifier;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id.toLowerCase() : null;
}
