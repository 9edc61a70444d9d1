import fc from 'fast-check';
import { verifyProof, type ProofVerdict } from '../../../src/onramp/proof';
import { KEYS, expectations, signedProof } from './signed-proofs';

/** Properties over many inputs: verifyProof never throws, and no change to a signed proof yields another payment. */

test('any JSON value, or any JS value, is refused without throwing', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (input) => {
      const verdict = verifyProof(input, expectations());
      return verdict.ok === false && verdict.code === 'PROOF_INVALID';
    }),
    { numRuns: 500 },
  );
});

test('a proof whose fields are replaced by arbitrary values is refused without throwing', () => {
  const base = signedProof();
  const fields = ['identifier', 'signatures', 'witnesses', 'claimData'] as const;
  const claimFields = ['provider', 'parameters', 'context', 'owner', 'timestampS', 'epoch', 'identifier'] as const;
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.constantFrom(...claimFields), fc.anything(), (field, claimField, value) => {
      const top = { ...base, [field]: value };
      const inner = { ...base, claimData: { ...base.claimData, [claimField]: value } };
      return [top, inner].every((input) => {
        const verdict = verifyProof(input, expectations());
        // Only a value equal to the original (e.g. the same witnesses list) may still pass, with the same verdict.
        return !verdict.ok || JSON.stringify(verdict) === JSON.stringify(verifyProof(base, expectations()));
      });
    }),
    { numRuns: 300 },
  );
});

test('changing one character of any signed text never yields a different accepted payment', () => {
  const base = signedProof({ keys: [KEYS.a] });
  const original: ProofVerdict = verifyProof(base, expectations());
  expect(original.ok).toBe(true);
  const texts = [
    'identifier',
    'claimData.identifier',
    'claimData.provider',
    'claimData.parameters',
    'claimData.context',
    'claimData.owner',
    'signatures.0',
  ];
  const get = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], base) as string;
  fc.assert(
    fc.property(
      fc.constantFrom(...texts),
      fc.nat(),
      fc.oneof(fc.constantFrom(...'0123456789abcdefABCDEF"{}:,. \\'), fc.string({ minLength: 1, maxLength: 1 })),
      (path, at, ch) => {
        const text = get(path);
        const i = at % text.length;
        const changed = text.slice(0, i) + ch + text.slice(i + 1);
        const proof = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
        const [head, tail] = path.split('.') as [string, string | undefined];
        if (tail === undefined) proof[head] = changed as never;
        else proof[head]![tail] = changed;
        const verdict = verifyProof(proof, expectations());
        // Accepted only when the change is no change to what was signed (hex case, the same character).
        return !verdict.ok || JSON.stringify(verdict) === JSON.stringify(original);
      },
    ),
    { numRuns: 1000 },
  );
});
