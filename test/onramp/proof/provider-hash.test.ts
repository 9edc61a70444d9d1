import { verifyProof } from '../../../src/onramp/proof';
import { MAX_OPTIONAL, providerHashesOf } from '../../../src/onramp/proof/provider-hash';
import { RECLAIM_ATTESTOR, REAL_PROOF_KAGGLE, REAL_PROOF_KAGGLE_NESTED_CONTEXT, REAL_PROOF_KAGGLE_PROVIDER_HASH } from './real-proofs';
import { expectations, signedProof } from './signed-proofs';

/** The provider hash (the SDK's hashProofClaimParams) and `expect.providerHashes`. */

test('real proofs hash to the provider hash the SDK’s own tests verify them with', () => {
  expect(providerHashesOf(REAL_PROOF_KAGGLE.claimData.parameters)).toEqual([REAL_PROOF_KAGGLE_PROVIDER_HASH]);
  // The other proof's parameters differ only in fields the hash leaves out (headers, paramValues, session ids).
  expect(providerHashesOf(REAL_PROOF_KAGGLE_NESTED_CONTEXT.claimData.parameters)).toEqual([REAL_PROOF_KAGGLE_PROVIDER_HASH]);
});

test('a required provider hash lets the real proof through to the payment check, another one stops it', () => {
  const e = expectations({ witnesses: [RECLAIM_ATTESTOR], now: new Date(REAL_PROOF_KAGGLE.claimData.timestampS * 1000) });
  expect(verifyProof(REAL_PROOF_KAGGLE, { ...e, providerHashes: [REAL_PROOF_KAGGLE_PROVIDER_HASH] })).toMatchObject({
    reason: 'context.extractedParameters.amount must be a string',
  });
  expect(verifyProof(REAL_PROOF_KAGGLE, { ...e, providerHashes: [`0x${'ab'.repeat(32)}`] })).toEqual({
    ok: false,
    code: 'PROOF_INVALID',
    reason: 'the claim was made against another provider',
  });
});

test('parameters that are no HTTP provider request are refused when provider hashes are required', () => {
  const hash = providerHashesOf(signedProof().claimData.parameters);
  expect(hash).toBeNull(); // the test proofs' parameters have no response matches
  expect(verifyProof(signedProof(), expectations({ providerHashes: [REAL_PROOF_KAGGLE_PROVIDER_HASH] }))).toEqual({
    ok: false,
    code: 'PROOF_INVALID',
    reason: 'claimData.parameters are not an HTTP provider request',
  });
  for (const bad of [
    'not json',
    '[]',
    '{"url":"u","method":"TRACE","responseMatches":[{}],"responseRedactions":[]}',
    '{"url":"u","method":"GET","responseMatches":[1],"responseRedactions":[]}',
  ]) {
    expect(providerHashesOf(bad)).toBeNull();
  }
});

const match = (value: string, isOptional?: boolean) => ({ value, type: 'contains', invert: false, isOptional });
const params = (matches: object[]) =>
  JSON.stringify({
    url: 'https://example.com',
    method: 'GET',
    body: '',
    responseMatches: matches,
    responseRedactions: matches.map((_, i) => ({ jsonPath: `$.n${i}`, regex: `n${i}`, xPath: '' })),
  });

test('optional response matches give one hash per subset, as the SDK’s witness.test.ts counts them', () => {
  // "should generate (2^n - 1) possible hashes for n fully optional rule pairs": 3 optional → 7.
  expect(new Set(providerHashesOf(params([match('n1', true), match('n2', true), match('n3', true)]))).size).toBe(7);
  // "should generate 2^n hashes for n optional pairs when there are other required rules": 1 required + 2 optional → 4.
  expect(new Set(providerHashesOf(params([match('r'), match('o1', true), match('o2', true)]))).size).toBe(4);
  // No optional one: one hash, the same whatever isOptional false/undefined and invert false say.
  expect(providerHashesOf(params([match('r', false)]))).toEqual(providerHashesOf(params([{ value: 'r', type: 'contains' }])));
  // More than MAX_OPTIONAL optional matches: refused rather than enumerating 2^n combinations.
  expect(providerHashesOf(params(Array.from({ length: MAX_OPTIONAL + 1 }, (_, i) => match(`o${i}`, true))))).toBeNull();
  expect(providerHashesOf(params(Array.from({ length: MAX_OPTIONAL }, (_, i) => match(`o${i}`, true))))).toHaveLength(
    2 ** MAX_OPTIONAL - 1,
  );
});

test('malformed provider hash expectations are a TypeError', () => {
  expect(() => verifyProof(signedProof(), expectations({ providerHashes: ['0xABC'] }))).toThrow(TypeError);
});
