import { claimIdentifierOf, signedClaimText } from '../../../sandboxes/payment-platform/witness';
import { verifyProof } from '../../../src/onramp/proof';
import { claimIdentifier, claimSignData, personalMessageDigest } from '../../../src/onramp/proof/claim-serialisation';
import { recoverSigner } from '../../../src/onramp/proof/signer-recovery';
import { RECLAIM_ATTESTOR, REAL_PROOF_KAGGLE, REAL_PROOF_KAGGLE_NESTED_CONTEXT } from './real-proofs';
import { expectations } from './signed-proofs';

/**
 * Real proofs signed by Reclaim's production attestor (real-proofs.ts, from the SDK's tests): the verifier's and
 * the sandbox witness's serialisation both reproduce their identifiers, and their signatures recover the attestor.
 */

const REAL = [
  ['REAL_PROOF_KAGGLE', REAL_PROOF_KAGGLE],
  ['REAL_PROOF_KAGGLE_NESTED_CONTEXT', REAL_PROOF_KAGGLE_NESTED_CONTEXT],
] as const;

/** Expectations under which a real (Kaggle username) proof gets past authentication and fails on the payment fields. */
const atClaimTime = (proof: { claimData: { timestampS: number } }, witnesses = [RECLAIM_ATTESTOR]) =>
  expectations({ witnesses, now: new Date(proof.claimData.timestampS * 1000), intentHash: 'sample context' });

describe.each(REAL)('%s', (_name, proof) => {
  test('the verifier recomputes the identifier the witness signed', () => {
    expect(claimIdentifier(proof.claimData)).toBe(proof.identifier);
    expect(proof.claimData.identifier).toBe(proof.identifier);
  });

  test('the signature recovers to Reclaim’s attestor, over the SDK’s sign data', () => {
    const digest = personalMessageDigest(claimSignData(proof.claimData));
    expect(recoverSigner(digest, proof.signatures[0]!)).toBe(RECLAIM_ATTESTOR);
    expect(signedClaimText(proof.claimData)).toBe(claimSignData(proof.claimData));
  });

  test('verifyProof authenticates it (configured attestor) and only then refuses it: it proves no payment', () => {
    expect(verifyProof(proof, atClaimTime(proof))).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'context.extractedParameters.amount must be a string',
    });
    expect(verifyProof(proof, atClaimTime(proof, ['0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a']))).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'signatures[0] is not from a configured witness',
    });
  });

  test('one character changed in the context breaks the identifier', () => {
    const context = proof.claimData.context.replace('"DYNAMIC_GEO":"IN"', '"DYNAMIC_GEO":"US"');
    expect(context).not.toBe(proof.claimData.context);
    expect(verifyProof({ ...proof, claimData: { ...proof.claimData, context } }, atClaimTime(proof))).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'claimData.identifier is not the hash of provider, parameters and context',
    });
  });

  test('the same context re-serialised (keys reversed, spaces) hashes to the same identifier, as the SDK re-canonicalises', () => {
    const reversed = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reversed(x)]),
          )
        : v;
    const context = JSON.stringify(reversed(JSON.parse(proof.claimData.context)), null, 1);
    expect(context).not.toBe(proof.claimData.context);
    expect(claimIdentifier({ ...proof.claimData, context })).toBe(proof.identifier);
    expect(verifyProof({ ...proof, claimData: { ...proof.claimData, context } }, atClaimTime(proof))).toMatchObject({
      reason: 'context.extractedParameters.amount must be a string',
    });
  });
});

test('the sandbox witness’s identifier matches real proofs too (their contexts are already canonical)', () => {
  for (const [, proof] of REAL) {
    const c = proof.claimData;
    expect(claimIdentifierOf(c.provider, c.parameters, c.context)).toBe(proof.identifier);
  }
});
