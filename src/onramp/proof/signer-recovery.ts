import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { hexToBytes } from '@noble/hashes/utils';
import { hex } from './claim-serialisation';

/**
 * The address that signed `digest`, recovered the way the SDK's `ethers.verifyMessage(data, hexlify(signature))`
 * does (ethers-io/ethers.js v6.16.0), or null where ethers would throw:
 *
 * - the signature is 0x-prefixed hex of 64 or 65 bytes (`getBytes`; src.ts/crypto/signature.ts `Signature.from`,
 *   lines 336–352). 65 bytes: r ‖ s ‖ v with v normalised by `getNormalizedV` (lines 305–315): 0 or 27 → parity 0,
 *   1 or 28 → parity 1, ≥ 35 → EIP-155 (odd → parity 0), anything else refused. 64 bytes: EIP-2098 compact,
 *   the parity in s's top bit.
 * - `Signature.s` (lines 86–88) refuses an s whose top bit is set ("non-canonical s"). That refuses the high-s twin
 *   (r, n − s) of every low-s signature but those whose twin falls in (n/2, 2^255), a band of width ~2^128 out of
 *   2^256: malleated signatures are refused in practice, and where one slips through it proves the same claim by
 *   the same signer, while our replay key is the claim identifier, never the signature.
 * - `SigningKey.recoverPublicKey` (src.ts/crypto/signing-key.ts lines 166–178): noble's
 *   `Signature.fromCompact(r ‖ s).addRecoveryBit(parity).recoverPublicKey(digest)` (r and s in [1, n−1], r the
 *   x of a curve point); the address is the last 20 bytes of keccak256 of the uncompressed key without its 0x04.
 */
export function recoverSigner(digest: Uint8Array, signature: string): string | null {
  if (!/^0x(?:[0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/.test(signature)) return null;
  const bytes = hexToBytes(signature.slice(2));
  const rs = bytes.slice(0, 64);
  let parity: number;
  if (bytes.length === 64) {
    parity = rs[32] & 0x80 ? 1 : 0;
    rs[32] &= 0x7f;
  } else {
    const v = bytes[64]!;
    if (v === 0 || v === 27) parity = 0;
    else if (v === 1 || v === 28) parity = 1;
    else if (v >= 35) parity = v & 1 ? 0 : 1;
    else return null;
    if (rs[32] & 0x80) return null; // "non-canonical s"
  }
  try {
    const point = secp256k1.Signature.fromCompact(rs).addRecoveryBit(parity).recoverPublicKey(digest);
    return hex(keccak_256(point.toRawBytes(false).subarray(1)).subarray(12));
  } catch {
    return null;
  }
}
