import fc from 'fast-check';
import type { JsonSchema } from './operations';

/** JSON text written as it is (numbers beyond a double, nesting deeper than JSON.stringify would be asked to write). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, except that RawJson is written verbatim. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Text that is well-formed but unusual: still valid wherever free text is. */
export const unicodeEdges = [
  '\u202eevil', // right-to-left override
  '\ufeffbom',
  'e\u0301', // combining accent
  '\u200b', // zero-width space
  '𝕏'.repeat(64), // astral characters: two UTF-16 units each
  '👩‍👩‍👧‍👦', // ZWJ sequence
  '\uffff',
  'Ω',
  'İı',
  '\u00a0',
  '٣٤٥', // Arabic-Indic digits
  '１２３', // full-width digits
];

/** Strings that a strict API must refuse or treat as plain text. */
export const hostileStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // unpaired surrogates (JSON.stringify writes them as escapes)
  '\udfff\ud800',
  '\u0007\r\nX-Injected: 1',
  "'; DROP TABLE users; --",
  '{"$ne": null}',
  '../../etc/passwd',
  '%00',
  '__proto__',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  '9'.repeat(400),
  '-9223372036854775809',
  '9223372036854775808',
  '0.00000001',
  '1.12345678',
  '0000-01-01T00:00:00Z',
  '0000-12-31',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '9999-12-31T23:59:59-14:00',
  '2026-02-30',
  'x'.repeat(5000),
  ...unicodeEdges,
];

/** Numbers at and beyond the edges (as raw JSON where a double cannot say them). */
export const hostileNumbers: unknown[] = [
  0,
  -1,
  -0,
  0.5,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  new RawJson('12345678901234567890123456789'),
  new RawJson('1e999'),
  new RawJson('-1e999'),
  new RawJson('1' + '0'.repeat(400)),
];

/** Values of the wrong shape anywhere. */
export const hostileValues: unknown[] = [
  null,
  true,
  [],
  {},
  [[[['deep']]]],
  { nested: { deep: 'x' } },
  new RawJson('['.repeat(3000) + ']'.repeat(3000)),
  new RawJson('{"a":'.repeat(1500) + '1' + '}'.repeat(1500)),
  ...hostileNumbers,
  ...hostileStrings,
];

/** Any JSON value at all (shape unrelated to any schema). */
export const anyHostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileValues) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as string[]));
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 64, 64);
  if (s.format === 'date-time')
    return fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date')
    return fc
      .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'uri') return fc.webUrl();
  if (typeof s.pattern === 'string')
    return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) }) },
    { weight: 1, arbitrary: fc.constantFrom(...unicodeEdges).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity)) },
  );
}

/**
 * A value shaped by the schema (mostly valid), with a share of hostile values at any depth. Whether it validates does
 * not matter: each request carries a defect of its own (requests.ts); these values make the rest of it plausible, so
 * the defect is met deep in the pipeline as well as at its door.
 */
export function valueOf(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema, depth = 0, hostileShare = 10): fc.Arbitrary<unknown> {
  const valid = shapedBy(resolve(schema), resolve, depth, hostileShare);
  return fc.oneof({ weight: 100 - hostileShare, arbitrary: valid }, { weight: hostileShare, arbitrary: anyHostile });
}

function shapedBy(s: JsonSchema, resolve: (s: JsonSchema) => JsonSchema, depth: number, hostileShare: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives)) return fc.oneof(...alternatives.map((a: JsonSchema) => valueOf(a, resolve, depth + 1, hostileShare)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({
        min: Math.max(s.minimum ?? -1e6, Number.MIN_SAFE_INTEGER),
        max: Math.min(s.maximum ?? 1e6, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const items = s.items ? valueOf(s.items, resolve, depth + 1, hostileShare) : anyHostile;
      return fc.array(items, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
    }
    case 'object':
    default: {
      if (depth > 4) return fc.constant({});
      const props: Record<string, JsonSchema> = s.properties ?? {};
      const required = new Set<string>(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) shape[k] = valueOf(v, resolve, depth + 1, hostileShare);
      const fixed = fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const extra = fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          valueOf(s.additionalProperties, resolve, depth + 1, hostileShare),
          {
            maxKeys: 3,
          },
        );
        return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      return fixed;
    }
  }
}
