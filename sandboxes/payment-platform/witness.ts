import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';

/**
 * The sandbox's Reclaim witness: signs claims the way Reclaim's attestors do, written from the SDK's own sources and
 * independently of the orchestrator's verifier (src/onramp/proof/), so each is a check on the other
 * (test/onramp/proof-real-fixture.test.ts anchors both to a real proof).
 *
 * reclaimprotocol/reclaim-js-sdk 5.4.1 (commit 6282b7c) src/witness.ts:
 *   identifier = keccak256(utf8(`${provider}\n${parameters}\n${canonicalContext}`)) in lower-case hex (lines 17–31);
 *   signed text = [identifier, owner.toLowerCase(), timestampS, epoch].join('\n') (lines 5–15);
 * signed as EIP-191 personal_sign (the attestor's `ethers.Wallet.signMessage`, recovered by the SDK's
 * `ethers.verifyMessage`): keccak256("\x19Ethereum Signed Message:\n" + byte length + text), 65 bytes r ‖ s ‖ v,
 * v = 27 + recovery id, low s.
 *
 * The context is hashed as given: callers pass canonical JSON (keys sorted, no whitespace), as the SDK's
 * `canonicalStringify` would leave it.
 */

export interface ClaimData {
  provider: string;
  parameters: string;
  context: string;
  owner: string;
  timestampS: number;
  epoch: number;
  identifier: string;
}

export interface ReclaimProofJson {
  identifier: string;
  claimData: ClaimData;
  signatures: string[];
  witnesses: Array<{ id: string; url: string }>;
}

const keccakHex = (bytes: Uint8Array) => `0x${bytesToHex(keccak_256(bytes))}`;

export function claimIdentifierOf(provider: string, parameters: string, canonicalContext: string): string {
  return keccakHex(utf8ToBytes(`${provider}\n${parameters}\n${canonicalContext}`));
}

/** 0x + 40 hex of a private key (hex, with or without 0x). */
export function witnessAddress(privateKeyHex: string): string {
  const publicKey = secp256k1.getPublicKey(hexToBytes(privateKeyHex.replace(/^0x/, '')), false);
  return `0x${bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12))}`;
}

/** personal_sign of `text`: 0x r ‖ s ‖ v (27 or 28). */
export function personalSign(privateKeyHex: string, text: string): string {
  const body = utf8ToBytes(text);
  const digest = keccak_256(new Uint8Array([...utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`), ...body]));
  const sig = secp256k1.sign(digest, hexToBytes(privateKeyHex.replace(/^0x/, '')));
  return `0x${bytesToHex(sig.toCompactRawBytes())}${(27 + sig.recovery).toString(16)}`;
}

export function signedClaimText(claim: Omit<ClaimData, 'provider' | 'parameters' | 'context'>): string {
  return [claim.identifier, claim.owner.toLowerCase(), String(claim.timestampS), String(claim.epoch)].join('\n');
}

/** A complete proof of `claim` signed by each key, in the shape the SDK's `Proof` has. */
export function signClaim(
  claim: Omit<ClaimData, 'identifier'> & { identifier?: string },
  privateKeys: string[],
  witnessUrl = 'wss://sandbox.invalid/ws',
): ReclaimProofJson {
  const identifier = claim.identifier ?? claimIdentifierOf(claim.provider, claim.parameters, claim.context);
  const claimData: ClaimData = { ...claim, identifier };
  return {
    identifier,
    claimData,
    signatures: privateKeys.map((k) => personalSign(k, signedClaimText(claimData))),
    witnesses: privateKeys.map((k) => ({ id: witnessAddress(k), url: witnessUrl })),
  };
}
