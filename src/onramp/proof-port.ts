/**
 * The proof verifier as the on-ramp uses it (src/onramp/proof, built beside this: `verifyProof`). The worker injects
 * the implementation; the on-ramp depends only on this shape.
 */
export interface ProofExpectations {
  intentHash: string;
  /** Decimal string: the fiat the proof's payment must cover. */
  minFiatAmount: string;
  fiatCurrency: string;
  recipient: string;
  signalledAt: Date;
  paymentBufferSeconds: number;
  witnesses: string[];
  threshold: number;
  now: Date;
  maxProofAgeSeconds: number;
}

export type ProofVerdict =
  | { ok: true; proofId: string; paidAmount: string; paidAt: Date }
  | { ok: false; code: 'PROOF_INVALID' | 'PROOF_EXPIRED'; reason: string };

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
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
}
