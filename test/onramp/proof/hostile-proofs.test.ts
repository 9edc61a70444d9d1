import { secp256k1 } from '@noble/curves/secp256k1';
import { signClaim } from '../../../sandboxes/payment-platform/witness';
import { verifyProof } from '../../../src/onramp/proof';
import { RECLAIM_ATTESTOR, REAL_PROOF_KAGGLE } from './real-proofs';
import { INTENT, KEYS, PAYMENT, contextText, expectations, signedProof } from './signed-proofs';

/** Input built to hurt: sizes, types, prototypes, throwing objects, malleated signatures. None throws; none passes. */

const invalid = { ok: false, code: 'PROOF_INVALID', reason: expect.any(String) };
const N = secp256k1.CURVE.n;
const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');

describe('sizes', () => {
  const MB = 'x'.repeat(1024 * 1024);
  test.each([
    ['a 1 MB context', (p: ReturnType<typeof signedProof>) => ({ ...p, claimData: { ...p.claimData, context: MB } }), 'claimData.context'],
    [
      '1 MB parameters',
      (p: ReturnType<typeof signedProof>) => ({ ...p, claimData: { ...p.claimData, parameters: MB } }),
      'claimData.parameters',
    ],
    [
      'a 1 MB provider',
      (p: ReturnType<typeof signedProof>) => ({ ...p, claimData: { ...p.claimData, provider: MB } }),
      'claimData.provider',
    ],
    ['a 1 MB identifier', (p: ReturnType<typeof signedProof>) => ({ ...p, identifier: `0x${MB}` }), 'identifier'],
    ['a 1 MB signature', (p: ReturnType<typeof signedProof>) => ({ ...p, signatures: [MB] }), 'signatures.0'],
    ['17 signatures', (p: ReturnType<typeof signedProof>) => ({ ...p, signatures: Array(17).fill(p.signatures[0]) }), 'signatures'],
    ['10 000 witnesses', (p: ReturnType<typeof signedProof>) => ({ ...p, witnesses: Array(10_000).fill(p.witnesses[0]) }), 'witnesses'],
  ])('%s is refused before anything is hashed or recovered', (_what, change, field) => {
    const verdict = verifyProof(change(signedProof()), expectations());
    expect(verdict).toEqual(invalid);
    expect(!verdict.ok && verdict.reason.startsWith(`${field}:`)).toBe(true);
  });

  test('16 signatures of one witness are recovered and count once', () => {
    const p = signedProof();
    expect(verifyProof({ ...p, signatures: Array(16).fill(p.signatures[0]) }, expectations())).toMatchObject({ ok: true });
    expect(verifyProof({ ...p, signatures: Array(16).fill(p.signatures[0]) }, expectations({ threshold: 2 }))).toEqual(invalid);
  });

  test('a context nested 5 000 deep (within the size cap) is refused, not a stack overflow', () => {
    const deep = `{"contextMessage":"${INTENT}","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(verifyProof(signedProof({ context: deep }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'claimData.context is not JSON (or nests deeper than 64)',
    });
  });

  test('a context with a number JSON cannot hold (1e400 → Infinity) is refused, as canonicalize refuses it', () => {
    const context = contextText(INTENT, { ...PAYMENT }).replace('"contextAddress":"0x0"', '"contextAddress":1e400');
    expect(verifyProof(signedProof({ context }), expectations())).toEqual(invalid);
  });
});

describe('types and prototypes', () => {
  test.each([
    ['signatures of numbers', { signatures: [123] }],
    ['a witness without an id', { witnesses: [{ url: 'wss://x' }] }],
    ['claimData an array', { claimData: [] }],
    ['claimData null', { claimData: null }],
  ])('%s', (_what, change: object) => {
    expect(verifyProof({ ...signedProof(), ...change }, expectations())).toEqual(invalid);
  });

  test('a negative or unsafe timestampS', () => {
    const p = signedProof();
    for (const timestampS of [-1, 2 ** 53, Number.NaN, Infinity]) {
      expect(verifyProof({ ...p, claimData: { ...p.claimData, timestampS } }, expectations())).toEqual(invalid);
    }
  });

  test('"__proto__" keys in the context are data, never the fields they shadow, and pollute nothing', () => {
    const context = JSON.stringify({
      __proto__: { contextMessage: INTENT },
      extractedParameters: { ...PAYMENT },
    }).replace('{"extractedParameters"', `{"__proto__":{"contextMessage":"${INTENT}"},"extractedParameters"`);
    expect(context).toContain('"__proto__"');
    expect(verifyProof(signedProof({ context }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'context.contextMessage must carry the intent hash',
    });
    const params = contextText(INTENT, {}).replace(
      '"extractedParameters":{}',
      `"extractedParameters":{"__proto__":${JSON.stringify(PAYMENT)}}`,
    );
    expect(verifyProof(signedProof({ context: params }), expectations())).toEqual(invalid);
    expect(({} as Record<string, unknown>).contextMessage).toBeUndefined();
    expect(({} as Record<string, unknown>).amount).toBeUndefined();
  });

  test('an object whose getters throw, and a Proxy that throws on every trap, are refused without throwing', () => {
    const p = signedProof();
    const trap = () => {
      throw new Error('boom');
    };
    const getterBomb = Object.defineProperty({ ...p }, 'claimData', { get: trap, enumerable: true });
    const proxy = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    expect(verifyProof(getterBomb, expectations())).toEqual(invalid);
    expect(verifyProof(proxy, expectations())).toEqual(invalid);
  });

  test('the proof’s own witnesses list is never trusted: only recovered signers count', () => {
    const stranger = signedProof({ keys: [KEYS.stranger] });
    const lying = { ...stranger, witnesses: [{ id: '0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a', url: 'wss://x' }] };
    expect(verifyProof(lying, expectations())).toMatchObject({ ok: false, reason: 'signatures[0] is not from a configured witness' });
    expect(verifyProof({ ...signedProof(), witnesses: [] }, expectations())).toMatchObject({ ok: true });
  });

  test('a witness configured twice (or in mixed case) is still one witness', () => {
    const a = '0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a';
    const e = expectations({ witnesses: [a, a.toUpperCase().replace('0X', '0x')], threshold: 2 });
    expect(verifyProof(signedProof({ keys: [KEYS.a] }), e)).toMatchObject({
      ok: false,
      reason: 'signed by 1 distinct witnesses, 2 required',
    });
    expect(verifyProof(signedProof({ keys: [KEYS.a] }), expectations({ witnesses: [a.toUpperCase().replace('0X', '0x')] }))).toMatchObject({
      ok: true,
    });
  });
});

describe('signature encodings and malleability, as ethers v6 reads them', () => {
  const parts = (sig: string) => ({
    r: BigInt(`0x${sig.slice(2, 66)}`),
    s: BigInt(`0x${sig.slice(66, 130)}`),
    v: parseInt(sig.slice(130), 16),
  });
  const encode = (r: bigint, s: bigint, v: number) => `0x${hex32(r)}${hex32(s)}${v.toString(16).padStart(2, '0')}`;
  /** (r, n − s, the other parity): the same signer of the same message. */
  const twin = (sig: string) => {
    const { r, s, v } = parts(sig);
    return encode(r, N - s, v === 27 ? 28 : 27);
  };

  test('the high-s twin of a real attestor signature is refused, as ethers refuses it ("non-canonical s")', () => {
    const real = REAL_PROOF_KAGGLE.signatures[0]!;
    // n − s of a low s lies above 2^255 (but for a band of width ~2^128 just above n/2): its top bit is set.
    expect(parts(real).s <= N / 2n && N - parts(real).s >= 1n << 255n).toBe(true);
    const e = expectations({ witnesses: [RECLAIM_ATTESTOR], now: new Date(REAL_PROOF_KAGGLE.claimData.timestampS * 1000) });
    // The original authenticates (refused only for carrying no payment); its twin does not.
    expect(verifyProof(REAL_PROOF_KAGGLE, e)).toMatchObject({ reason: 'context.extractedParameters.amount must be a string' });
    expect(verifyProof({ ...REAL_PROOF_KAGGLE, signatures: [twin(real)] }, e)).toMatchObject({
      reason: 'signatures[0] is not a valid signature',
    });
  });

  test('a malleated signature is refused, and could not change the proofId anyway: it is the claim identifier', () => {
    const p = signedProof();
    expect(verifyProof({ ...p, signatures: [twin(p.signatures[0]!)] }, expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'signatures[0] is not a valid signature',
    });
    // Another valid encoding of the same signature (EIP-2098, v as 0/1) gives the same verdict and proofId.
    const { r, s, v } = parts(p.signatures[0]!);
    expect(verifyProof({ ...p, signatures: [encode(r, s, v - 27)] }, expectations())).toEqual(verifyProof(p, expectations()));
  });

  test('v as 0/1, 27/28 and EIP-155 (≥ 35) are read as ethers reads them; 2–26 and 29–34 are refused', () => {
    const p = signedProof();
    const { r, s, v } = parts(p.signatures[0]!);
    const parity = v - 27;
    const ok = (vv: number) => verifyProof({ ...p, signatures: [encode(r, s, vv)] }, expectations());
    expect(ok(parity)).toMatchObject({ ok: true });
    expect(ok(27 + parity)).toMatchObject({ ok: true });
    expect(ok(parity === 0 ? 37 : 38)).toMatchObject({ ok: true }); // EIP-155: odd → 27, even → 28
    expect(ok(parity === 0 ? 28 : 27)).toMatchObject({ ok: false, reason: 'signatures[0] is not from a configured witness' });
    for (const vv of [2, 26, 29, 34]) expect(ok(vv)).toMatchObject({ ok: false, reason: 'signatures[0] is not a valid signature' });
  });

  test('the 64-byte EIP-2098 form (parity in the top bit of s) is accepted as ethers accepts it', () => {
    const p = signedProof();
    const { r, s, v } = parts(p.signatures[0]!);
    const compact = `0x${hex32(r)}${hex32(v === 28 ? s | (1n << 255n) : s)}`;
    expect(verifyProof({ ...p, signatures: [compact] }, expectations())).toMatchObject({ ok: true, proofId: p.identifier });
  });

  test('an s with its top bit set in the 65-byte form is refused ("non-canonical s", ethers Signature.s); r or s of 0 or ≥ n too', () => {
    const p = signedProof();
    const { r, s, v } = parts(p.signatures[0]!);
    for (const bad of [encode(r, s | (1n << 255n), v), encode(0n, s, v), encode(r, 0n, v), encode(N, s, v), encode(r, N + 1n, v)]) {
      expect(verifyProof({ ...p, signatures: [bad] }, expectations())).toMatchObject({
        ok: false,
        reason: 'signatures[0] is not a valid signature',
      });
    }
  });

  test('an r that is no curve point’s x is refused', () => {
    const p = signedProof();
    const { s, v } = parts(p.signatures[0]!);
    // x = 5 has no y on secp256k1 (5³ + 7 = 132 is not a square mod p).
    expect(verifyProof({ ...p, signatures: [encode(5n, s, v)] }, expectations())).toMatchObject({
      reason: 'signatures[0] is not a valid signature',
    });
  });
});

test('a proof signed over the claim’s own (wrong) identifier instead of the recomputed one is refused', () => {
  // Witnesses sign the recomputed identifier (createSignDataForClaim); a claim that carries another one fails first.
  const p = signClaim(
    {
      provider: 'http',
      parameters: '{}',
      context: contextText(INTENT, { ...PAYMENT }),
      owner: '0x' + '0'.repeat(40),
      timestampS: 1768471560,
      epoch: 1,
      identifier: '0x' + '11'.repeat(32),
    },
    [KEYS.a],
  );
  expect(verifyProof(p, expectations())).toMatchObject({
    ok: false,
    reason: 'claimData.identifier is not the hash of provider, parameters and context',
  });
});
