import crypto from 'node:crypto';
import { StrKey, type xdr } from '@stellar/stellar-sdk';
import { ed25519Verify } from '../../src/crypto/ed25519';

/**
 * stellar-core's SignatureChecker: signers are weighed in the order pre-authorized transaction hashes, sha256
 * hash-x preimages, then ed25519 signatures over the transaction's contents hash; each signature counts for at
 * most one signer per check; weights above 255 count as 255; a check passes once the total reaches the needed
 * weight (so a threshold of 0 still needs one valid signature). Signatures used by any check are remembered, so
 * that `allSignaturesUsed()` can refuse extra signatures (tx_bad_auth_extra).
 */
export class SignatureChecker {
  private readonly used: boolean[];

  constructor(
    private readonly contentsHash: Buffer,
    private readonly signatures: xdr.DecoratedSignature[],
  ) {
    this.used = signatures.map(() => false);
  }

  check(signers: Array<{ key: string; weight: number }>, neededWeight: number): boolean {
    let total = 0;
    const add = (weight: number) => {
      total += Math.min(weight, 255);
      return total >= neededWeight;
    };

    for (const s of signers) {
      if (s.key.startsWith('T') && StrKey.decodePreAuthTx(s.key).equals(this.contentsHash)) {
        if (add(s.weight)) return true;
      }
    }

    const verifyAll = (
      candidates: Array<{ key: string; weight: number }>,
      verify: (sig: xdr.DecoratedSignature, key: string) => boolean,
    ) => {
      const remaining = [...candidates];
      for (let i = 0; i < this.signatures.length; i += 1) {
        const sig = this.signatures[i]!;
        const at = remaining.findIndex((s) => verify(sig, s.key));
        if (at < 0) continue;
        this.used[i] = true;
        if (add(remaining[at]!.weight)) return true;
        remaining.splice(at, 1);
      }
      return false;
    };

    if (
      verifyAll(
        signers.filter((s) => s.key.startsWith('X')),
        verifyHashX,
      )
    )
      return true;
    if (
      verifyAll(
        signers.filter((s) => s.key.startsWith('G')),
        (sig, key) => verifyEd25519(sig, key, this.contentsHash),
      )
    ) {
      return true;
    }
    return false;
  }

  allSignaturesUsed(): boolean {
    return this.used.every(Boolean);
  }
}

function hintOf(raw: Buffer): Buffer {
  return raw.subarray(raw.length - 4);
}

function verifyEd25519(sig: xdr.DecoratedSignature, key: string, hash: Buffer): boolean {
  const raw = StrKey.decodeEd25519PublicKey(key);
  if (!Buffer.from(sig.hint()).equals(hintOf(raw))) return false;
  const signature = Buffer.from(sig.signature());
  if (signature.length !== 64) return false;
  return ed25519Verify(raw, hash, signature);
}

function verifyHashX(sig: xdr.DecoratedSignature, key: string): boolean {
  const expected = StrKey.decodeSha256Hash(key);
  if (!Buffer.from(sig.hint()).equals(hintOf(expected))) return false;
  const preimage = Buffer.from(sig.signature());
  if (preimage.length > 64) return false;
  return crypto.createHash('sha256').update(preimage).digest().equals(expected);
}
