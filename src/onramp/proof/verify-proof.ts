import { claimIdentifier, claimSignData, personalMessageDigest } from './claim-serialisation';
import { compareDecimals, formatDecimal, parseDecimal } from './decimal';
import { readPaymentClaim } from './payment-claim';
import { providerHashesOf } from './provider-hash';
import { describeShapeProblem, reclaimProofSchema, type ReclaimProof } from './proof-shape';
import { recoverSigner } from './signer-recovery';
import type { ProofErrorCode, ProofExpectations, ProofVerdict } from './types';

/**
 * Verifies a Reclaim payment proof offline against one on-ramp order (docs/onramp.md, "Payment proofs"): the claim
 * identifier, the witnesses' signatures, then what the claim says. Pure: no clock (`now` is given), no I/O. Never
 * throws on any `proof` (a malformed one is PROOF_INVALID with the reason); throws TypeError only when
 * `expect` itself is malformed, a caller's bug. Replay is the caller's: store `proofId` (and `paymentId`) uniquely.
 */

/** How far the witnesses' and the platform's clocks may run ahead of ours. */
export const CLOCK_SKEW_SECONDS = 60;

const ADDRESS = /^0x[0-9a-f]{40}$/;
const HEX = /^0x[0-9a-f]+$/i;

/** Hex intent hashes compare case-insensitively (one number); any other text exactly. */
const sameIntent = (claimed: string, expected: string) =>
  HEX.test(claimed) && HEX.test(expected) ? claimed.toLowerCase() === expected.toLowerCase() : claimed === expected;

class Rejection {
  constructor(
    readonly code: ProofErrorCode,
    readonly reason: string,
  ) {}
}
const invalid = (reason: string) => new Rejection('PROOF_INVALID', reason);

function checkExpectations(e: ProofExpectations): void {
  const bad = (what: string) => {
    throw new TypeError(`verifyProof: expectations.${what}`);
  };
  if (!parseDecimal(e.minFiatAmount)) bad('minFiatAmount must be a plain decimal string');
  if (!Number.isSafeInteger(e.threshold) || e.threshold < 1) bad('threshold must be a whole number ≥ 1');
  if (e.witnesses.length < e.threshold) bad('witnesses must hold at least threshold addresses');
  if (!e.witnesses.every((w) => ADDRESS.test(w.toLowerCase()))) bad('witnesses must be 0x-prefixed 20-byte hex addresses');
  for (const d of ['signalledAt', 'now'] as const)
    if (!(e[d] instanceof Date) || Number.isNaN(e[d].getTime())) bad(`${d} must be a valid Date`);
  for (const s of ['paymentBufferSeconds', 'maxProofAgeSeconds'] as const) if (!(e[s] >= 0)) bad(`${s} must be ≥ 0`);
  if (!e.intentHash || !e.recipient || !e.fiatCurrency) bad('intentHash, recipient and fiatCurrency must not be empty');
  if (e.providerHashes && !e.providerHashes.every((h) => /^0x[0-9a-f]{64}$/.test(h))) bad('providerHashes must be lower-case 0x + 64 hex');
}

/** Identifier and signatures: the claim is what configured witnesses signed. Answers the identifier and signers. */
function authenticate(proof: ReclaimProof, expect: ProofExpectations): { proofId: string; signers: string[] } | Rejection {
  const claim = proof.claimData;
  let proofId: string;
  try {
    proofId = claimIdentifier(claim);
  } catch {
    return invalid('claimData.context is not JSON (or nests deeper than 64)');
  }
  if (claim.identifier.toLowerCase() !== proofId)
    return invalid('claimData.identifier is not the hash of provider, parameters and context');
  if (proof.identifier.toLowerCase() !== proofId) return invalid('identifier is not the claim identifier');

  const digest = personalMessageDigest(claimSignData({ ...claim, identifier: proofId }));
  const configured = new Set(expect.witnesses.map((w) => w.toLowerCase()));
  const signers = new Set<string>();
  for (const [i, signature] of proof.signatures.entries()) {
    const signer = recoverSigner(digest, signature);
    if (signer === null) return invalid(`signatures[${i}] is not a valid signature`);
    if (!configured.has(signer)) return invalid(`signatures[${i}] is not from a configured witness`);
    signers.add(signer);
  }
  if (signers.size < expect.threshold) return invalid(`signed by ${signers.size} distinct witnesses, ${expect.threshold} required`);
  return { proofId, signers: [...signers] };
}

function judge(proof: ReclaimProof, expect: ProofExpectations): ProofVerdict | Rejection {
  const auth = authenticate(proof, expect);
  if (auth instanceof Rejection) return auth;

  if (expect.providerHashes) {
    const hashes = providerHashesOf(proof.claimData.parameters);
    if (!hashes) return invalid('claimData.parameters are not an HTTP provider request');
    if (!hashes.some((h) => expect.providerHashes!.includes(h))) return invalid('the claim was made against another provider');
  }

  const context = proof.claimData.context;
  const payment = readPaymentClaim(context ? JSON.parse(context) : null);
  if ('problem' in payment) return invalid(payment.problem);
  if (!sameIntent(payment.intentHash, expect.intentHash)) return invalid('the proof is bound to another intent');

  const nowMs = expect.now.getTime();
  const claimedMs = proof.claimData.timestampS * 1000;
  if (claimedMs > nowMs + CLOCK_SKEW_SECONDS * 1000) return invalid('the claim is dated in the future');
  if (nowMs - claimedMs > expect.maxProofAgeSeconds * 1000) return new Rejection('PROOF_EXPIRED', 'the proof is older than allowed');

  if (payment.currency !== expect.fiatCurrency.toUpperCase()) return invalid('the payment is in another currency');
  if (compareDecimals(payment.amount, parseDecimal(expect.minFiatAmount)!) < 0)
    return invalid('the payment amount is less than the order requires');
  if (payment.receiverId !== expect.recipient) return invalid('the payment went to another recipient');

  const paidMs = payment.paidAt.getTime();
  const signalledMs = expect.signalledAt.getTime();
  if (paidMs < signalledMs) return invalid('the payment was made before the intent was signalled');
  if (paidMs > signalledMs + expect.paymentBufferSeconds * 1000) return invalid('the payment was made after the payment window');
  if (paidMs > claimedMs + CLOCK_SKEW_SECONDS * 1000) return invalid('the payment is dated after the claim');

  return {
    ok: true,
    proofId: auth.proofId,
    paidAmount: formatDecimal(payment.amount),
    paidAt: payment.paidAt,
    paymentId: payment.paymentId,
    signers: auth.signers,
  };
}

export function verifyProof(proof: unknown, expect: ProofExpectations): ProofVerdict {
  checkExpectations(expect);
  try {
    const shape = reclaimProofSchema.safeParse(proof);
    if (!shape.success) return { ok: false, code: 'PROOF_INVALID', reason: describeShapeProblem(shape.error) };
    const verdict = judge(shape.data, expect);
    return verdict instanceof Rejection ? { ok: false, code: verdict.code, reason: verdict.reason } : verdict;
  } catch {
    // Nothing above should throw on any input; if something does, the proof is still refused, never accepted.
    return { ok: false, code: 'PROOF_INVALID', reason: 'the proof could not be read' };
  }
}
