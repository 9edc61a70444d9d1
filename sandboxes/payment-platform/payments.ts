import crypto from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { claimIdentifierOf, signClaim, type ReclaimProofJson } from './witness';

/** A fiat payment someone declared on the sandbox platform. */
export interface Payment {
  id: string;
  platform: string;
  /** Plain decimal as declared ("50.00"). */
  amount: string;
  currency: string;
  recipient: string;
  senderHandle: string;
  intentHash: string;
  /** ISO 8601 UTC, whole seconds. */
  paidAt: string;
  createdAt: string;
}

export type PaymentInput = Omit<Payment, 'id' | 'createdAt'>;

const keccakHex = (text: string) => `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;

/**
 * The sandbox platform's Reclaim provider: an HTTP provider reading `GET <platform>/payments/{{paymentId}}` (the
 * payment id a parameter, as real providers template theirs), matching and redacting the payment's id. Its
 * provider hash is the SDK's `hashProofClaimParams` (src/witness.ts lines 49–61, 89–162) over url, method, body and
 * the matches and redactions, canonical; written out here (keys in sorted order) rather than computed by the
 * verifier's code.
 */
function provider(baseUrl: string) {
  const responseMatches = [{ type: 'contains', value: '"id":"{{paymentId}}"' }];
  const responseRedactions = [{ jsonPath: '$.id', regex: '"id":"(.*)"', xPath: '' }];
  const url = `${baseUrl}/payments/{{paymentId}}`;
  const hash = keccakHex(JSON.stringify({ body: '', method: 'GET', responseMatches, responseRedactions, url }));
  return { responseMatches, responseRedactions, url, hash };
}

export const providerHashOf = (baseUrl: string) => provider(baseUrl).hash;

/**
 * The claim the provider makes about the payment: the witness extracted the payment's fields into
 * `context.extractedParameters` (the layout zkp2p's payment providers use; docs/onramp.md, "Payment proofs"), bound
 * to the intent through `context.contextMessage`. Both JSON texts are written canonically (keys sorted, no spaces).
 */
export function paymentClaim(p: Payment, baseUrl: string) {
  const { responseMatches, responseRedactions, url, hash } = provider(baseUrl);
  const parameters = JSON.stringify({
    body: '',
    method: 'GET',
    paramValues: { paymentId: p.id },
    responseMatches,
    responseRedactions,
    url,
  });
  const context = JSON.stringify({
    contextAddress: '0x0',
    contextMessage: p.intentHash,
    extractedParameters: {
      amount: p.amount,
      currency: p.currency,
      date: p.paidAt,
      paymentId: p.id,
      platform: p.platform,
      receiverId: p.recipient,
      senderId: p.senderHandle,
    },
    providerHash: hash,
  });
  // The claim's owner is the prover's key; the sandbox derives one per sender so proofs are reproducible.
  const owner = `0x${keccakHex(`payment-platform-sandbox:${p.senderHandle}`).slice(-40)}`;
  return { provider: 'http', parameters, context, owner, epoch: 1, identifier: claimIdentifierOf('http', parameters, context) };
}

export class PaymentBook {
  private readonly payments = new Map<string, Payment>();

  record(input: PaymentInput, now: Date): Payment {
    const payment: Payment = { ...input, id: `pay_${crypto.randomBytes(12).toString('hex')}`, createdAt: now.toISOString() };
    this.payments.set(payment.id, payment);
    return payment;
  }

  get(id: string): Payment | undefined {
    return this.payments.get(id);
  }

  all(): Payment[] {
    return [...this.payments.values()];
  }
}

/** The proof of `p`, made (and dated) at `now`, signed by the witness. */
export function provePayment(p: Payment, baseUrl: string, witnessKey: string, now: Date): ReclaimProofJson {
  return signClaim({ ...paymentClaim(p, baseUrl), timestampS: Math.floor(now.getTime() / 1000) }, [witnessKey], `${baseUrl}/witness`);
}
