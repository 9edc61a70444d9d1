/**
 * What verifying a Reclaim payment proof expects and answers (docs/onramp.md, "Payment proofs"). Pure values: the
 * caller (the on-ramp activity) reads the order and the configured witnesses and passes them in.
 */

/** What the order says the proof must show. */
export interface ProofExpectations {
  /** The order's intent hash; the proof's `context.contextMessage` must equal it (0x hex case-insensitively, other text exactly). */
  intentHash: string;
  /** The fiat amount the buyer must have paid (amountUsdc × conversionRate, a decimal string); the proof may show more. */
  minFiatAmount: string;
  /** ISO 4217 code the payment must be in (compared case-insensitively). */
  fiatCurrency: string;
  /** The merchant's handle or id on the payment platform; `extractedParameters.receiverId` must equal it exactly. */
  recipient: string;
  /** When the intent was signalled: the payment must be made at or after it. */
  signalledAt: Date;
  /** How long after the signal the payment may be made. */
  paymentBufferSeconds: number;
  /** Witness addresses whose signatures count (0x + 40 hex; compared in lower case). */
  witnesses: readonly string[];
  /** How many distinct configured witnesses must have signed (at least 1). */
  threshold: number;
  now: Date;
  /** A proof whose claim (`claimData.timestampS`) is older than this is PROOF_EXPIRED. */
  maxProofAgeSeconds: number;
  /**
   * The provider hashes allowed (lower-case 0x hex; Reclaim's `hashProofClaimParams` of `claimData.parameters`, what
   * the SDK's `verifyProof(proof, { hashes })` checks): pins the request the witness made, i.e. which payment
   * platform's API the payment was read from. Set it for real witnesses: without it a claim about any HTTPS
   * response those witnesses attested (a server the prover controls) is read as a payment. Optional so a sandbox
   * stack can go without.
   */
  providerHashes?: readonly string[];
}

export type ProofErrorCode = 'PROOF_INVALID' | 'PROOF_EXPIRED';

export type ProofVerdict =
  | {
      ok: true;
      /** The claim identifier (lower-case 0x hex): never accept it twice. */
      proofId: string;
      /** The paid amount as the proof shows it, in canonical decimal form ("50", "50.5"). */
      paidAmount: string;
      paidAt: Date;
      /**
       * The payment platform's id of the payment (`extractedParameters.paymentId`). One payment can be proven into
       * several claims (one per context), so this, per platform, is the nullifier that stops paying two orders
       * with one payment; zkp2p nullifies the same value (VenmoReclaimVerifier: keccak256(paymentId)).
       */
      paymentId: string;
      /** Lower-case addresses of the configured witnesses that signed. */
      signers: string[];
    }
  | { ok: false; code: ProofErrorCode; reason: string };
