import { Memo, StrKey } from '@stellar/stellar-sdk';
import { z } from 'zod';

/** A withdrawal's memo: a string is a text memo; or say the type. Rules are Stellar's. */
export const memoSchema = z.union([z.string(), z.strictObject({ type: z.enum(['text', 'id', 'hash']), value: z.string().max(128) })]);

export const stellarDestinationSchema = z
  .strictObject({
    type: z.literal('stellar'),
    address: z
      .string()
      .max(69)
      .refine(
        (a) => StrKey.isValidEd25519PublicKey(a) || StrKey.isValidMed25519PublicKey(a),
        'must be a Stellar account (G…) or muxed account (M…)',
      ),
    memo: memoSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.memo !== undefined && d.address.startsWith('M'))
      ctx.addIssue({ code: 'custom', path: ['memo'], message: 'a muxed (M…) address already identifies the recipient; send no memo' });
    const problem = d.memo === undefined ? null : memoProblem(normalizeMemo(d.memo));
    if (problem) ctx.addIssue({ code: 'custom', path: ['memo'], message: problem });
  });

export type StellarDestination = z.infer<typeof stellarDestinationSchema>;
export interface NormalMemo {
  type: 'text' | 'id' | 'hash';
  value: string;
}

export function normalizeMemo(memo: z.infer<typeof memoSchema>): NormalMemo {
  return typeof memo === 'string' ? { type: 'text', value: memo } : memo;
}

function memoProblem(m: NormalMemo): string | null {
  if (m.type === 'text')
    // Stellar allows any 28 bytes; control characters (a NUL cannot even be stored) are refused as in every text field.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    return Buffer.byteLength(m.value, 'utf8') <= 28 && m.value.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(m.value)
      ? null
      : 'a text memo is at most 28 bytes of UTF-8 text without control characters';
  if (m.type === 'id')
    return /^\d{1,20}$/.test(m.value) && BigInt(m.value) <= 2n ** 64n - 1n ? null : 'an id memo is an unsigned 64-bit integer';
  return /^[0-9a-fA-F]{64}$/.test(m.value) ? null : 'a hash memo is 32 bytes in hex (64 characters)';
}

export function toStellarMemo(m: NormalMemo | null): Memo {
  if (!m) return Memo.none();
  if (m.type === 'text') return Memo.text(m.value);
  if (m.type === 'id') return Memo.id(m.value);
  return Memo.hash(m.value.toLowerCase());
}
