import { keccak_256 } from '@noble/hashes/sha3';
import { utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical-json';
import { hex } from './claim-serialisation';

/**
 * The provider hashes of a claim's parameters: which request the witness made and what it matched and extracted,
 * so a verifier can require a known provider (a payment platform's API) instead of any HTTPS response. Pinned to
 * reclaimprotocol/reclaim-js-sdk 5.4.1 (commit 6282b7c):
 *
 * - src/utils/proofValidationUtils.ts `getHttpProviderClaimParamsFromProof` and `isHttpProviderClaimParams`
 *   (lines 179–206): parameters are JSON with a string `url`, a `method` among GET POST PUT PATCH DELETE, a `body`
 *   string or null, a non-empty `responseMatches` array and a `responseRedactions` array; else no hash.
 * - src/witness.ts `hashProofClaimParams` and `getProviderParamsAsCanonicalizedString` (lines 49–61, 89–162): one
 *   hash per combination of the optional response matches left in or out (required ones always in): keccak256 of
 *   canonical {url, method, body ?? '', responseMatches: [{value ?? '', type ?? 'contains', invert || undefined}],
 *   responseRedactions: [{xPath ?? '', jsonPath ?? '', regex ?? '', hash || undefined}]} (the redaction at the same
 *   index as its match), lower-case hex.
 *
 * Hardening, all refusals (null): a response match or redaction that is not an object, more than MAX_OPTIONAL
 * optional matches (the SDK enumerates 2^n combinations; a proof's attested parameters carry no optional ones).
 */

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export const MAX_OPTIONAL = 8;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function providerHashesOf(parameters: string): string[] | null {
  let params: unknown;
  try {
    params = JSON.parse(parameters);
  } catch {
    return null;
  }
  if (!isObject(params) || typeof params.url !== 'string' || typeof params.method !== 'string' || !METHODS.has(params.method)) return null;
  if (!(params.body === undefined || params.body === null || typeof params.body === 'string')) return null;
  const matches = params.responseMatches;
  const redactions = params.responseRedactions;
  if (!Array.isArray(matches) || matches.length === 0 || !Array.isArray(redactions)) return null;
  if (!matches.every(isObject) || !redactions.slice(0, matches.length).every((r) => r === undefined || r === null || isObject(r)))
    return null;
  const optional = matches.flatMap((m, j) => (m.isOptional ? [j] : []));
  if (optional.length > MAX_OPTIONAL) return null;

  const hashes: string[] = [];
  for (let subset = 0; subset < 1 << optional.length; subset++) {
    const left = new Set(optional.filter((_, k) => (subset & (1 << k)) === 0));
    const included = matches.map((_, j) => j).filter((j) => !left.has(j));
    if (included.length === 0) continue;
    const hashable = {
      url: params.url,
      method: params.method,
      body: params.body ?? '',
      responseMatches: included.map((j) => ({
        value: matches[j]!.value ?? '',
        type: matches[j]!.type ?? 'contains',
        invert: matches[j]!.invert || undefined,
      })),
      responseRedactions: included.flatMap((j) => {
        const r = redactions[j] as Json | null | undefined;
        return r ? [{ xPath: r.xPath ?? '', jsonPath: r.jsonPath ?? '', regex: r.regex ?? '', hash: r.hash || undefined }] : [];
      }),
    };
    hashes.push(hex(keccak_256(utf8ToBytes(canonicalJson(hashable)))));
  }
  return hashes;
}
