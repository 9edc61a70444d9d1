/** Offline verification of Reclaim payment proofs for on-ramp orders (docs/onramp.md, "Payment proofs"). */
export { verifyProof, CLOCK_SKEW_SECONDS } from './verify-proof';
export type { ProofExpectations, ProofVerdict, ProofErrorCode } from './types';
