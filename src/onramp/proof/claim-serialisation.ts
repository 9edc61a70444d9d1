import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical-json';

/**
 * The bytes a Reclaim witness signs, pinned to reclaimprotocol/reclaim-js-sdk 5.4.1 (commit 6282b7c), src/witness.ts:
 *
 * - `getIdentifierFromClaimInfo` (lines 17–31): a non-empty context is parsed as JSON and re-canonicalised
 *   (`canonicalStringify`; not JSON → "unable to parse non-empty context"); the identifier is
 *   `keccak256(utf8(provider + "\n" + parameters + "\n" + canonicalContext))` in lower-case 0x hex.
 * - `createSignDataForClaim` (lines 5–15): the lines identifier (recomputed, not the claim's own field),
 *   owner in lower case, timestampS, epoch, joined by "\n".
 * - `recoverSignersOfSignedClaim` (src/utils/proofUtils.ts lines 87–96): `ethers.verifyMessage(data, signature)`,
 *   i.e. EIP-191 personal_sign: keccak256("\x19Ethereum Signed Message:\n" + byte length + message)
 *   (ethers-io/ethers.js v6.16.0 src.ts/hash/message.ts lines 35–40; prefix in src.ts/constants/strings.ts line 16).
 */

export interface ClaimInfo {
  provider: string;
  parameters: string;
  context: string;
}

export interface ClaimToSign {
  identifier: string;
  owner: string;
  timestampS: number;
  epoch: number;
}

export const hex = (bytes: Uint8Array): string => `0x${bytesToHex(bytes)}`;

/** The context as the identifier hashes it; throws (SyntaxError or CanonicalJsonError) when it is not JSON. */
export function canonicalContext(context: string): string {
  if (context.length === 0) return '';
  const parsed: unknown = JSON.parse(context);
  // canonicalStringify answers '' for a falsy value (strings.ts line 8: `if (!params) return ''`): "null", "0", "false", '""'.
  return parsed ? canonicalJson(parsed) : '';
}

export function claimIdentifier(info: ClaimInfo): string {
  return hex(keccak_256(utf8ToBytes(`${info.provider}\n${info.parameters}\n${canonicalContext(info.context)}`)));
}

export function claimSignData(claim: ClaimToSign): string {
  return [claim.identifier, claim.owner.toLowerCase(), claim.timestampS.toString(), claim.epoch.toString()].join('\n');
}

/** EIP-191 version 0x45 ("personal_sign") digest of a text message. */
export function personalMessageDigest(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return keccak_256(all);
}
