import { StrKey, type xdr } from '@stellar/stellar-sdk';

/** A SignerKey as its StrKey (G..., T..., X..., P...). */
export function signerKeyToString(key: xdr.SignerKey): string {
  switch (key.switch().name) {
    case 'signerKeyTypeEd25519':
      return StrKey.encodeEd25519PublicKey(key.ed25519());
    case 'signerKeyTypePreAuthTx':
      return StrKey.encodePreAuthTx(key.preAuthTx());
    case 'signerKeyTypeHashX':
      return StrKey.encodeSha256Hash(key.hashX());
    default:
      return StrKey.encodeSignedPayload(key.ed25519SignedPayload().toXDR());
  }
}

const TYPE_ORDER: Record<string, number> = { G: 0, T: 1, X: 2, P: 3 };

function rawBytes(key: string): Buffer {
  switch (key[0]) {
    case 'G':
      return StrKey.decodeEd25519PublicKey(key);
    case 'T':
      return StrKey.decodePreAuthTx(key);
    case 'X':
      return StrKey.decodeSha256Hash(key);
    default:
      return StrKey.decodeSignedPayload(key);
  }
}

/** stellar-core keeps signers sorted by SignerKey: by key type, then by key bytes. */
export function compareSignerKeys(a: string, b: string): number {
  const t = TYPE_ORDER[a[0]!]! - TYPE_ORDER[b[0]!]!;
  return t !== 0 ? t : Buffer.compare(rawBytes(a), rawBytes(b));
}

/** Horizon's signer `type`. */
export function signerType(key: string): string {
  switch (key[0]) {
    case 'G':
      return 'ed25519_public_key';
    case 'T':
      return 'preauth_tx';
    case 'X':
      return 'sha256_hash';
    default:
      return 'ed25519_signed_payload';
  }
}
