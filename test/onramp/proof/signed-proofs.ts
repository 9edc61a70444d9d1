import { signClaim, type ReclaimProofJson } from '../../../sandboxes/payment-platform/witness';
import type { ProofExpectations } from '../../../src/onramp/proof';

/**
 * Proofs signed by test keys, built with the sandbox witness (sandboxes/payment-platform/witness.ts: the SDK's
 * serialisation written independently of the verifier, and checked against real proofs in real-proofs.test.ts).
 */

export const KEYS = {
  a: '0x1111111111111111111111111111111111111111111111111111111111111111',
  b: '0x2222222222222222222222222222222222222222222222222222222222222222',
  c: '0x3333333333333333333333333333333333333333333333333333333333333333',
  stranger: '0x4444444444444444444444444444444444444444444444444444444444444444',
};

export const SIGNALLED_AT = new Date('2026-01-15T10:00:00Z');
export const INTENT = '0x9f2c6d1b7a3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccdd';

export interface PaymentFields {
  amount: unknown;
  currency: unknown;
  date: unknown;
  paymentId: unknown;
  receiverId: unknown;
}

export interface ProofOptions {
  intentHash?: string;
  payment?: Partial<PaymentFields>;
  /** Replaces the whole context text (the identifier is then hashed over it as given). */
  context?: string;
  timestampS?: number;
  keys?: string[];
}

/** Sorted keys, no whitespace: the canonical text the SDK hashes (for these flat string records). */
export function contextText(intentHash: string, payment: Record<string, unknown>): string {
  const extractedParameters = Object.fromEntries(Object.entries(payment).sort(([x], [y]) => (x < y ? -1 : 1)));
  return JSON.stringify({ contextAddress: '0x0', contextMessage: intentHash, extractedParameters, providerHash: '0x00' });
}

export const PAYMENT: PaymentFields = {
  amount: '50.00',
  currency: 'USD',
  date: '2026-01-15T10:05:00Z',
  paymentId: '4409129475720381',
  receiverId: '@merchant-venmo',
};

export function signedProof(o: ProofOptions = {}): ReclaimProofJson {
  const context = o.context ?? contextText(o.intentHash ?? INTENT, { ...PAYMENT, ...o.payment });
  return signClaim(
    {
      provider: 'http',
      parameters: '{"body":"","method":"GET","responseMatches":[],"responseRedactions":[],"url":"https://venmo.example/payments"}',
      context,
      owner: '0xF00dF00DF00DF00DF00DF00DF00DF00DF00DF00D',
      timestampS: o.timestampS ?? Date.parse('2026-01-15T10:06:00Z') / 1000,
      epoch: 1,
    },
    o.keys ?? [KEYS.a],
  );
}

export function expectations(overrides: Partial<ProofExpectations> = {}): ProofExpectations {
  return {
    intentHash: INTENT,
    minFiatAmount: '50',
    fiatCurrency: 'USD',
    recipient: '@merchant-venmo',
    signalledAt: SIGNALLED_AT,
    paymentBufferSeconds: 3600,
    witnesses: [
      '0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a', // KEYS.a
      '0x1563915e194d8cfba1943570603f7606a3115508', // KEYS.b
      '0x5cbdd86a2fa8dc4bddd8a8f69dba48572eec07fb', // KEYS.c
    ],
    threshold: 1,
    now: new Date('2026-01-15T10:10:00Z'),
    maxProofAgeSeconds: 86400,
    ...overrides,
  };
}
