import { verifyProof } from '../../../src/onramp/proof';
import { claimIdentifierOf, signClaim } from '../../../sandboxes/payment-platform/witness';
import { INTENT, KEYS, PAYMENT, SIGNALLED_AT, contextText, expectations, signedProof } from './signed-proofs';

/** verifyProof against proofs signed by test keys in the SDK's format (signed-proofs.ts). */

const rejected = (code: 'PROOF_INVALID' | 'PROOF_EXPIRED') => ({ ok: false, code, reason: expect.any(String) });

describe('a valid proof', () => {
  test('is accepted with its claim identifier as proofId, the paid amount, the payment time and id', () => {
    const proof = signedProof();
    expect(verifyProof(proof, expectations())).toEqual({
      ok: true,
      proofId: proof.identifier,
      paidAmount: '50',
      paidAt: new Date('2026-01-15T10:05:00Z'),
      paymentId: '4409129475720381',
      signers: ['0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a'],
    });
    expect(proof.identifier).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test('paying more than required is accepted and reports what was paid', () => {
    expect(verifyProof(signedProof({ payment: { amount: '0050.250' } }), expectations({ minFiatAmount: '50.25' }))).toMatchObject({
      ok: true,
      paidAmount: '50.25',
    });
    expect(verifyProof(signedProof({ payment: { amount: '51' } }), expectations({ minFiatAmount: '50.99' }))).toMatchObject({
      ok: true,
      paidAmount: '51',
    });
  });

  test('two of three configured witnesses meet a threshold of 2; the intent hash and currency compare case-insensitively', () => {
    const proof = signedProof({
      keys: [KEYS.c, KEYS.a],
      intentHash: INTENT.toUpperCase().replace('0X', '0x'),
      payment: { currency: 'usd' },
    });
    const verdict = verifyProof(proof, expectations({ threshold: 2, fiatCurrency: 'USD' }));
    expect(verdict).toMatchObject({
      ok: true,
      signers: ['0x5cbdd86a2fa8dc4bddd8a8f69dba48572eec07fb', '0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a'],
    });
  });

  test('a context that is not canonical JSON is re-canonicalised before hashing, as the SDK does', () => {
    const canonical = contextText(INTENT, { ...PAYMENT });
    const loose = JSON.stringify(JSON.parse(canonical), null, 2).replace('"contextAddress": "0x0",', '"contextAddress":"0x0" ,');
    const keysReversed = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(canonical) as object).reverse()));
    for (const context of [loose, keysReversed]) {
      const proof = signedProof({ context });
      // The witness hashed the canonical text; the claim carries the loose one.
      const resigned = signClaim({ ...proof.claimData, identifier: claimIdentifierOf('http', proof.claimData.parameters, canonical) }, [
        KEYS.a,
      ]);
      expect(verifyProof(resigned, expectations())).toMatchObject({
        ok: true,
        proofId: claimIdentifierOf('http', proof.claimData.parameters, canonical),
      });
    }
  });
});

describe('PROOF_INVALID: not a proof', () => {
  test.each([
    ['null', null],
    ['a string', 'proof'],
    ['a number', 42],
    ['an array', [signedProof()]],
    ['an empty object', {}],
  ])('%s', (_what, input) => {
    expect(verifyProof(input, expectations())).toEqual(rejected('PROOF_INVALID'));
  });

  test('fields of the wrong type, each refused with the field named', () => {
    const base = signedProof();
    const cases: Array<[string, unknown]> = [
      ['identifier', { ...base, identifier: 12 }],
      ['claimData.timestampS', { ...base, claimData: { ...base.claimData, timestampS: String(base.claimData.timestampS) } }],
      ['claimData.timestampS', { ...base, claimData: { ...base.claimData, timestampS: 1.5 } }],
      ['claimData.epoch', { ...base, claimData: { ...base.claimData, epoch: null } }],
      ['claimData.context', { ...base, claimData: { ...base.claimData, context: { contextMessage: INTENT } } }],
      ['claimData.owner', { ...base, claimData: { ...base.claimData, owner: 'alice' } }],
      ['signatures', { ...base, signatures: base.signatures[0] }],
      ['signatures', { ...base, signatures: [] }],
      ['witnesses', { ...base, witnesses: 'all of them' }],
    ];
    for (const [field, input] of cases) {
      const verdict = verifyProof(input, expectations());
      expect(verdict).toEqual(rejected('PROOF_INVALID'));
      expect(!verdict.ok && verdict.reason.startsWith(field)).toBe(true);
    }
  });

  test('a context that is not JSON, or lacks the payment fields', () => {
    expect(verifyProof(signedProof({ context: 'intent=0x9f2c' }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'claimData.context is not JSON (or nests deeper than 64)',
    });
    expect(verifyProof(signedProof({ context: '' }), expectations())).toEqual(rejected('PROOF_INVALID'));
    for (const name of ['amount', 'currency', 'date', 'paymentId', 'receiverId'] as const) {
      expect(verifyProof(signedProof({ payment: { [name]: undefined } }), expectations())).toEqual(rejected('PROOF_INVALID'));
      expect(verifyProof(signedProof({ payment: { [name]: 50 } }), expectations())).toEqual(rejected('PROOF_INVALID'));
    }
    for (const amount of ['50,00', '$50.00', '-50', '5e1', '', ' 50', '50.']) {
      expect(verifyProof(signedProof({ payment: { amount } }), expectations())).toEqual(rejected('PROOF_INVALID'));
    }
    for (const date of ['2026-01-15', '15/01/2026 10:05', '2026-02-30T10:05:00Z', '2026-01-15T24:00:00Z', 'yesterday']) {
      expect(verifyProof(signedProof({ payment: { date } }), expectations())).toEqual(rejected('PROOF_INVALID'));
    }
  });
});

describe('PROOF_INVALID: not what the witnesses signed', () => {
  test('claimData.identifier or the top-level identifier not the hash of the claim', () => {
    const proof = signedProof();
    const other = '0x' + 'ab'.repeat(32);
    expect(verifyProof({ ...proof, identifier: other }, expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'identifier is not the claim identifier',
    });
    expect(verifyProof({ ...proof, claimData: { ...proof.claimData, identifier: other } }, expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'claimData.identifier is not the hash of provider, parameters and context',
    });
  });

  test('a claim changed after signing (amount raised, identifiers recomputed) no longer carries a witness signature', () => {
    const proof = signedProof({ payment: { amount: '5.00' } });
    const context = proof.claimData.context.replace('"amount":"5.00"', '"amount":"50.00"');
    const identifier = claimIdentifierOf('http', proof.claimData.parameters, context);
    const forged = { ...proof, identifier, claimData: { ...proof.claimData, context, identifier } };
    expect(verifyProof(forged, expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'signatures[0] is not from a configured witness',
    });
  });

  test('the owner, timestampS or epoch changed after signing', () => {
    const proof = signedProof();
    for (const change of [{ owner: '0x' + '12'.repeat(20) }, { timestampS: proof.claimData.timestampS + 1 }, { epoch: 2 }]) {
      expect(verifyProof({ ...proof, claimData: { ...proof.claimData, ...change } }, expectations())).toEqual(rejected('PROOF_INVALID'));
    }
  });

  test('signed by a key that is not a configured witness', () => {
    expect(verifyProof(signedProof({ keys: [KEYS.stranger] }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'signatures[0] is not from a configured witness',
    });
    // One stranger among witnesses is refused too: every signature must be a configured witness's.
    expect(verifyProof(signedProof({ keys: [KEYS.a, KEYS.stranger] }), expectations())).toEqual(rejected('PROOF_INVALID'));
  });

  test('signatures that are not 65 (or 64) bytes of hex', () => {
    const proof = signedProof();
    const sig = proof.signatures[0]!;
    for (const bad of ['', '0x', sig.slice(2), sig.slice(0, -4), `${sig}00`, sig.replace(/[0-9a-f]$/, 'g'), `0x${'00'.repeat(65)}`]) {
      expect(verifyProof({ ...proof, signatures: [bad] }, expectations())).toEqual(rejected('PROOF_INVALID'));
    }
  });

  test('the same witness signing twice counts once toward the threshold', () => {
    const proof = signedProof({ keys: [KEYS.a] });
    const twice = { ...proof, signatures: [proof.signatures[0]!, proof.signatures[0]!] };
    expect(verifyProof(twice, expectations({ threshold: 2 }))).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'signed by 1 distinct witnesses, 2 required',
    });
    expect(verifyProof(signedProof({ keys: [KEYS.a, KEYS.a] }), expectations({ threshold: 2 }))).toEqual(rejected('PROOF_INVALID'));
    expect(verifyProof(signedProof({ keys: [KEYS.a, KEYS.b] }), expectations({ threshold: 2 }))).toMatchObject({ ok: true });
  });
});

describe('PROOF_INVALID: a genuine proof of the wrong payment', () => {
  test('bound to another intent; a non-hex intent compares exactly', () => {
    const b64 = 'q83vASNFZ4mrze8BI0VniQ==';
    expect(verifyProof(signedProof({ intentHash: b64 }), expectations({ intentHash: b64 }))).toMatchObject({ ok: true });
    expect(verifyProof(signedProof({ intentHash: b64.toLowerCase() }), expectations({ intentHash: b64 }))).toMatchObject({
      reason: 'the proof is bound to another intent',
    });
    expect(verifyProof(signedProof({ intentHash: '0x' + '01'.repeat(32) }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the proof is bound to another intent',
    });
  });

  test('less than the fiat amount, by one cent or one hundredth of a cent', () => {
    expect(verifyProof(signedProof({ payment: { amount: '49.99' } }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the payment amount is less than the order requires',
    });
    expect(verifyProof(signedProof({ payment: { amount: '50.00' } }), expectations({ minFiatAmount: '50.0001' }))).toEqual(
      rejected('PROOF_INVALID'),
    );
  });

  test('in another currency', () => {
    expect(verifyProof(signedProof({ payment: { currency: 'EUR' } }), expectations())).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the payment is in another currency',
    });
  });

  test('to another recipient (compared exactly)', () => {
    for (const receiverId of ['@merchant-venm0', '@Merchant-Venmo', '@merchant-venmo ']) {
      expect(verifyProof(signedProof({ payment: { receiverId } }), expectations())).toEqual({
        ok: false,
        code: 'PROOF_INVALID',
        reason: 'the payment went to another recipient',
      });
    }
  });

  test('paid before the signal, after the payment window, or after the claim was made', () => {
    const claimedAt = Date.parse('2026-01-15T10:20:00Z') / 1000;
    const e = expectations({ paymentBufferSeconds: 600, now: new Date('2026-01-15T10:30:00Z') });
    const at = (date: string) => verifyProof(signedProof({ payment: { date }, timestampS: claimedAt }), e);
    expect(at('2026-01-15T09:59:59Z')).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the payment was made before the intent was signalled',
    });
    expect(at('2026-01-15T10:00:00Z')).toMatchObject({ ok: true, paidAt: SIGNALLED_AT });
    expect(at('2026-01-15T10:10:00Z')).toMatchObject({ ok: true });
    expect(at('2026-01-15T10:10:01Z')).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the payment was made after the payment window',
    });
    // A zone offset is honoured: 11:04 at +01:00 is 10:04 UTC.
    expect(at('2026-01-15T11:04:00+01:00')).toMatchObject({ ok: true, paidAt: new Date('2026-01-15T10:04:00Z') });
    // Claimed at 10:06; a payment dated 10:08 had not happened when the witness saw it.
    const late = verifyProof(signedProof({ payment: { date: '2026-01-15T10:08:00Z' } }), expectations());
    expect(late).toEqual({ ok: false, code: 'PROOF_INVALID', reason: 'the payment is dated after the claim' });
  });

  test('a claim dated in the future', () => {
    expect(verifyProof(signedProof(), expectations({ now: new Date('2026-01-15T10:04:59Z') }))).toEqual({
      ok: false,
      code: 'PROOF_INVALID',
      reason: 'the claim is dated in the future',
    });
  });
});

describe('PROOF_EXPIRED', () => {
  test('a proof whose claim is older than maxProofAgeSeconds; exactly that old still counts', () => {
    const claimedAt = Date.parse('2026-01-15T10:06:00Z');
    const now = (ms: number) => expectations({ now: new Date(claimedAt + ms), maxProofAgeSeconds: 300 });
    expect(verifyProof(signedProof(), now(300_000))).toMatchObject({ ok: true });
    expect(verifyProof(signedProof(), now(301_000))).toEqual({
      ok: false,
      code: 'PROOF_EXPIRED',
      reason: 'the proof is older than allowed',
    });
  });

  test('an expired proof that is also forged is PROOF_INVALID: authenticity is judged first', () => {
    const e = expectations({ now: new Date('2026-02-15T10:00:00Z') });
    expect(verifyProof(signedProof(), e)).toEqual(rejected('PROOF_EXPIRED'));
    expect(verifyProof(signedProof({ keys: [KEYS.stranger] }), e)).toEqual(rejected('PROOF_INVALID'));
  });
});

test('malformed expectations are the caller’s bug: a TypeError, not a verdict', () => {
  const proof = signedProof();
  expect(() => verifyProof(proof, expectations({ threshold: 0 }))).toThrow(TypeError);
  expect(() => verifyProof(proof, expectations({ threshold: 4 }))).toThrow(TypeError);
  expect(() => verifyProof(proof, expectations({ minFiatAmount: '50 USD' }))).toThrow(TypeError);
  expect(() => verifyProof(proof, expectations({ witnesses: ['GABC'] }))).toThrow(TypeError);
  expect(() => verifyProof(proof, expectations({ now: new Date('nope') }))).toThrow(TypeError);
});
