import { z } from 'zod';

/**
 * The wire shape of a Reclaim proof, as the SDK types it (reclaimprotocol/reclaim-js-sdk 5.4.1,
 * src/utils/interfaces.ts `Proof`, `WitnessData`; src/utils/types.ts `ProviderClaimData`), with bounds so hostile
 * input costs little: strings are capped before anything is hashed, at most MAX_SIGNATURES signatures are
 * recovered. Unknown fields (`extractedParameterValues`, `publicData`, `taskId`, `teeAttestation`…) are ignored,
 * as the SDK's verification ignores them. `witnesses` is the prover's own list and is never trusted: signers are
 * recovered from the signatures and compared with the configured witnesses.
 */

export const MAX_SIGNATURES = 16;
/** Per string of the claim (parameters, context); real proofs carry a few kilobytes. */
export const MAX_CLAIM_TEXT = 64 * 1024;

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const wholeSeconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const reclaimProofSchema = z.object({
  identifier: z.string().regex(HASH, 'must be 0x and 64 hex digits'),
  claimData: z.object({
    provider: z.string().min(1).max(256),
    parameters: z.string().max(MAX_CLAIM_TEXT),
    context: z.string().max(MAX_CLAIM_TEXT),
    owner: z.string().regex(ADDRESS, 'must be 0x and 40 hex digits'),
    timestampS: wholeSeconds,
    epoch: wholeSeconds,
    identifier: z.string().regex(HASH, 'must be 0x and 64 hex digits'),
  }),
  signatures: z.array(z.string().max(200)).min(1).max(MAX_SIGNATURES),
  witnesses: z.array(z.object({ id: z.string().max(200), url: z.string().max(2048) })).max(MAX_SIGNATURES),
});

export type ReclaimProof = z.infer<typeof reclaimProofSchema>;

/** The first problem zod found, as "claimData.owner: must be 0x and 40 hex digits". */
export function describeShapeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'malformed proof';
  const path = issue.path.map(String).join('.');
  return `${path || 'proof'}: ${issue.message}`;
}
