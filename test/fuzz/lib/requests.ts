import fc from 'fast-check';
import { encodeCursor } from '../../../src/cursor';
import type { Access, ApiDescription, JsonSchema, Operation, Parameter } from './operations';
import { anyHostile, hostileStrings, hostileValues, RawJson, toJson, valueOf } from './values';

/** Who a request presents itself as. */
export type Auth = 'none' | 'garbage' | 'malformed' | 'revoked' | 'read' | 'write' | 'support' | 'all' | 'master';

/** What the fuzz run created through the API before it starts: keys of every kind, and resources to name. */
export interface Fixtures {
  /** Bearer token per kind (`none` has none; `garbage` is well-formed and unknown). */
  tokens: Record<Exclude<Auth, 'none' | 'malformed'>, string>;
  /** Ids of existing resources by the collection that lists them (`users`, `orders`, `webhooks`, `api-keys`, …). */
  ids: Record<string, string[]>;
}

export interface FuzzRequest {
  operation: string;
  method: string;
  /** Path and query, encoded as sent. */
  url: string;
  auth: Auth;
  headers: Record<string, string>;
  body?: Buffer;
  /** Why this request must not change anything: the defects it carries (at least one, unless it is a GET). */
  defects: string[];
  /** Set when a defect is in who is asking: the answer must be 401 or 403. */
  authDefect: boolean;
}

const GRANTS: Record<Auth, Access[]> = {
  none: ['public'],
  garbage: ['public'],
  malformed: ['public'],
  revoked: ['public'],
  read: ['public', 'read'],
  write: ['public', 'write'],
  support: ['public', 'support'],
  all: ['public', 'read', 'write', 'support'],
  master: ['public', 'master'],
};
const AUTHS = Object.keys(GRANTS) as Auth[];

/** Id prefixes of this API's resources: a well-formed id that names nothing, or names something of another kind. */
const PREFIXES = ['usr', 'ord', 'wd', 'dsp', 'whk', 'key', 'del', 'evt', 'esc', 'tx'];
const nonexistentId = fc.tuple(fc.constantFrom(...PREFIXES), fc.stringMatching(/^[0-9a-z]{26}$/)).map(([p, rest]) => `${p}_${rest}`);

/** Percent-encoded path segments and query values that no id or filter can be. */
const hostileEncoded = [
  '%00',
  '%ff%fe',
  '%ED%A0%80',
  '..%2f..%2fetc',
  '%2e%2e',
  'a%0d%0aX-Injected:%201',
  'x'.repeat(5000),
  '%F0%9D%95%8F'.repeat(50),
];

/** Encodes any string for a URL, lone surrogates included (as the bytes of their CESU-8 form, which is not UTF-8). */
function encode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16)}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

function stringish(v: unknown): string {
  if (v instanceof RawJson) return v.text.slice(0, 2000);
  return typeof v === 'string' ? v : toJson(v);
}

interface Draft {
  /** Set by the undocumented-method defect. */
  method?: string;
  auth: Auth;
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: unknown;
  rawBody?: Buffer;
  contentType?: string;
  defects: string[];
  authDefect: boolean;
}

type Defect = (d: Draft) => fc.Arbitrary<Draft>;

/** The collection a path parameter belongs to: the segment before it (`/users/{id}` → `users`). */
function collectionOf(op: Operation, param: string): string {
  const segments = op.path.split('/');
  return segments[segments.indexOf(`{${param}}`) - 1] ?? '';
}

/** Defects that make any request to this operation a refusal, whatever else it carries. */
function defectsFor(op: Operation, api: ApiDescription, fixtures: Fixtures): Array<{ weight: number; arbitrary: fc.Arbitrary<Defect> }> {
  const out: Array<{ weight: number; arbitrary: fc.Arbitrary<Defect> }> = [];
  const add = (weight: number, name: string, apply: Defect) =>
    out.push({ weight, arbitrary: fc.constant(((d: Draft) => apply(d).map((x) => ({ ...x, defects: [...x.defects, name] }))) as Defect) });
  if (op.access !== 'public') {
    const refused = AUTHS.filter((a) => !GRANTS[a].includes(op.access));
    const t = fixtures.tokens.all;
    const malformed = [`Basic ${t}`, `bearer ${t}`, `Bearer  ${t}`, `Bearer ${t} ${t}`, `Bearer ${'x'.repeat(600)}`];
    malformed.push('Bearer', 'Bearer ohk_live_', `Bearer ${t.slice(0, -1)}`, t, `Bearer ${t}\u00e9`, `Token ${t}`);
    add(3, 'auth', (d) =>
      fc
        .constantFrom(...refused)
        .chain((auth): fc.Arbitrary<Draft> =>
          auth === 'malformed'
            ? fc
                .constantFrom(...malformed)
                .map((authorization) => ({ ...d, auth, authDefect: true, headers: { ...d.headers, authorization } }))
            : fc.constant({ ...d, auth, authDefect: true }),
        ),
    );
  }
  const pathParams = op.params.filter((p) => p.in === 'path');
  if (pathParams.length) {
    add(5, 'foreign-id', (d) =>
      fc.constantFrom(...pathParams).chain((p) => {
        const own = collectionOf(op, p.name);
        const others = Object.entries(fixtures.ids).flatMap(([c, ids]) => (c === own ? [] : ids));
        const id = others.length ? fc.oneof(nonexistentId, fc.constantFrom(...others)) : nonexistentId;
        return id.map((v) => ({ ...d, path: { ...d.path, [p.name]: encode(v) } }));
      }),
    );
    add(2, 'hostile-id', (d) =>
      fc
        .tuple(
          fc.constantFrom(...pathParams),
          fc.oneof(fc.constantFrom(...hostileEncoded), fc.constantFrom(...hostileStrings.filter(Boolean)).map(encode)),
        )
        .map(([p, v]) => ({
          ...d,
          path: { ...d.path, [p.name]: v },
        })),
    );
  }
  // Headers beyond what the HTTP server reads (Node's limit is 16 KiB in all): refused before any route runs.
  add(1, 'huge-headers', (d) =>
    fc.constantFrom(17_000, 70_000).map((n) => ({ ...d, headers: { ...d.headers, 'x-fuzz-padding': 'p'.repeat(n) } })),
  );
  const documented = new Set(api.operations.filter((o) => o.path === op.path).map((o) => o.method));
  const undocumented = ['put', 'patch', 'post', 'delete', 'options'].filter((m) => !documented.has(m as Operation['method']));
  add(1, 'undocumented-method', (d) => fc.constantFrom(...undocumented).map((m) => ({ ...d, method: m.toUpperCase() })));
  const idem = op.params.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  if (idem) {
    add(1, 'idempotency-key', (d) =>
      fc
        .constantFrom('k'.repeat(256), 'has space', 'caf\u00e9', ...(idem.required ? [''] : []))
        .map((k) => (k ? { ...d, headers: { ...d.headers, 'idempotency-key': k } } : d)),
    );
  }
  if (op.body) {
    const body = api.resolve(op.body);
    const props = Object.entries<JsonSchema>(body.properties ?? {}).map(([k, s]) => [k, api.resolve(s)] as const);
    add(2, 'not-json', (d) =>
      fc
        .constantFrom('{"a": ', '{,}', "{'a': 1}", '{"a": 1}}', 'undefined', '\u0000{}', '{"a": 01}', '{"a": NaN}')
        .map((t) => ({ ...d, rawBody: Buffer.from(t) })),
    );
    add(2, 'not-utf8', (d) =>
      fc.constantFrom([0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf5, 0x80, 0x80, 0x80]).map((bytes) => {
        const field = props[0]?.[0] ?? 'a';
        return { ...d, rawBody: Buffer.concat([Buffer.from(`{"${field}": "x`), Buffer.from(bytes), Buffer.from('"}')]) };
      }),
    );
    add(1, 'content-type', (d) =>
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          'multipart/form-data; boundary=x',
          'application/xml',
          '',
        )
        .map((contentType) => ({ ...d, contentType })),
    );
    add(1, 'content-encoding', (d) =>
      fc
        .constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip')
        .map((e) => ({ ...d, headers: { ...d.headers, 'content-encoding': e } })),
    );
    // Fields naming a resource of this API (`user_id`, `buyer_id`, …); the marketplace's own ids (`external_…`,
    // `client_…`) are free text it chooses.
    const idFields = props.filter(([k, v]) => k.endsWith('_id') && !/^(external|client)_/.test(k) && v.type === 'string');
    if (idFields.length) {
      add(3, 'foreign-body-id', (d) =>
        fc
          .tuple(
            fc.constantFrom(...idFields),
            fc.oneof(
              nonexistentId,
              fc.constantFrom(
                ...Object.values(fixtures.ids)
                  .flat()
                  .filter((i) => !i.startsWith('usr_')),
              ),
            ),
          )
          .map(([[k], v]) => ({
            ...d,
            body: { ...fieldsOf(d.body), [k]: v },
          })),
      );
    }
    add(1, 'huge-body', (d) => fc.constantFrom(200_000, 1_100_000).map((n) => ({ ...d, rawBody: Buffer.from(`{${' '.repeat(n)}}`) })));
    add(1, 'deep-nesting', (d) =>
      fc.constantFrom(1000, 100_000).map((n) => ({ ...d, rawBody: Buffer.from(`{"a":${'['.repeat(n)}${']'.repeat(n)}}`) })),
    );
    add(1, 'not-an-object', (d) =>
      fc.constantFrom('[]', '"text"', 'null', '123', 'true', '[{}]').map((t) => ({ ...d, rawBody: Buffer.from(t) })),
    );
    add(2, 'extra-field', (d) =>
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'status', 'balance', ''),
            fc.string({ minLength: 1, maxLength: 20 }),
          ),
          fc.oneof(anyHostile, fc.constant({ polluted: 'yes' }), fc.constant({ prototype: { polluted: 'yes' } })),
        )
        .filter(([k]) => !(k in (body.properties ?? {})))
        .map(([k, v]) => ({ ...d, body: { ...fieldsOf(d.body), [k]: v } })),
    );
    add(2, 'nul-in-string', (d) => fieldWith(d, props, fc.constantFrom('\u0000', 'a\u0000', '\u0000'.repeat(3))));
    add(2, 'lone-surrogate', (d) => fieldWith(d, props, fc.constantFrom('\ud800', 'a\udfff', '\udbff\u0041')));
    if (props.length) {
      add(3, 'wrong-type', (d) =>
        fc
          .constantFrom(...props)
          .chain(([k, s]) =>
            fc
              .constantFrom(...hostileValues.filter((v) => !matchesType(v, s)))
              .map((v) => ({ ...d, body: { ...fieldsOf(d.body), [k]: v } })),
          ),
      );
    }
    const required = props.filter(([k]) => (body.required ?? []).includes(k));
    if (required.length) {
      add(2, 'missing-required', (d) =>
        fc.constantFrom(...required).map(([k]) => {
          const { [k]: _gone, ...rest } = fieldsOf(d.body);
          return { ...d, body: rest };
        }),
      );
    }
    const bounded = props.filter(([, s]) => s.type === 'string' && (s.maxLength || s.enum || s.pattern));
    if (bounded.length) {
      add(3, 'out-of-bounds-string', (d) =>
        fc.constantFrom(...bounded).chain(([k, s]) => {
          const bad: string[] = [];
          if (s.maxLength) bad.push('y'.repeat(s.maxLength + 1), '𝕏'.repeat(s.maxLength + 1)); // JSON Schema counts characters, not UTF-16 units
          if (s.enum)
            bad.push(
              `${s.enum[0]}x`,
              String(s.enum[0]).toLowerCase() === s.enum[0] ? String(s.enum[0]).toUpperCase() : String(s.enum[0]).toLowerCase(),
              ` ${s.enum[0]}`,
            );
          if (s.pattern) bad.push('-1', '1e5', ' 1', '1.12345678', '0x10', '١٢٣', '1,5', '+1', '.5');
          const outside: unknown[] = bad.filter((b) => !(s.enum ?? []).includes(b) && !(s.pattern && new RegExp(s.pattern).test(b)));
          // A pattern loose enough to take every sample above (a free-form handle, say): a number is still no string.
          if (outside.length === 0) outside.push(12345);
          return fc.constantFrom(...outside).map((v) => ({ ...d, body: { ...fieldsOf(d.body), [k]: v } }));
        }),
      );
    }
    const numeric = props.filter(
      ([, s]) => (s.type === 'integer' || s.type === 'number') && (s.minimum !== undefined || s.maximum !== undefined),
    );
    if (numeric.length) {
      add(2, 'out-of-range-number', (d) =>
        fc
          .constantFrom(...numeric)
          .chain(([k, s]) =>
            fc
              .constantFrom<unknown>(
                ...[
                  s.minimum !== undefined ? s.minimum - 1 : null,
                  s.maximum !== undefined ? s.maximum + 1 : null,
                  1e308,
                  -1e308,
                  new RawJson('1e999'),
                ].filter((x) => x !== null),
                ...(s.type === 'integer' ? [1.5] : []),
              )
              .map((v) => ({ ...d, body: { ...fieldsOf(d.body), [k]: v } })),
          ),
      );
    }
  } else if (op.method !== 'get') {
    add(2, 'unexpected-body', (d) =>
      fc
        .constantFrom('{"a":1}', '[]', '"x"', '0', '{"__proto__":{"x":1}}')
        .map((t) => ({ ...d, rawBody: Buffer.from(t), contentType: 'application/json' })),
    );
  }
  return out;
}

/** The body's fields when it is an object (the base body may be hostile noise: null, an array, a string). */
function fieldsOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) && !(body instanceof RawJson) ? (body as Record<string, unknown>) : {};
}

function fieldWith(d: Draft, props: ReadonlyArray<readonly [string, JsonSchema]>, value: fc.Arbitrary<string>): fc.Arbitrary<Draft> {
  const field = props.length ? fc.constantFrom(...props.map(([k]) => k)) : fc.constant('a');
  return fc.tuple(field, value).map(([k, v]) => ({ ...d, body: { ...fieldsOf(d.body), [k]: v } }));
}

function matchesType(v: unknown, s: JsonSchema): boolean {
  if (s.anyOf || s.oneOf) return true; // unions: leave them to the other defects
  const t =
    v instanceof RawJson
      ? v.text.startsWith('[')
        ? 'array'
        : v.text.startsWith('{')
          ? 'object'
          : 'number'
      : Array.isArray(v)
        ? 'array'
        : v === null
          ? 'null'
          : typeof v;
  if (s.type === 'integer') return t === 'number';
  return t === s.type;
}

/** Query values: mostly shaped by the parameter's schema, with hostile ones (year 0, cursors out of range, bytes). */
function queryValue(p: Parameter, api: ApiDescription): fc.Arbitrary<string> {
  const special: string[] = [...hostileEncoded];
  if (p.name === 'cursor')
    special.push(
      ...['9223372036854775808', '99999999999999999999', '0', '-1', 'key_\u0000', '\ud800', ''].map((pos) => encode(encodeCursor(pos))),
      encode(Buffer.from('v2:1').toString('base64url')),
      'A'.repeat(201),
      '!!!',
    );
  if (p.name === 'limit') special.push('0', '101', '-1', '1.5', '1e2', '99999999999999999999', 'abc', '');
  const shaped = valueOf(p.schema, api.resolve, 0, 20).map((v) => encode(stringish(v)));
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: fc.constantFrom(...special) });
}

/** A request to `op` carrying at least one defect (a GET: maybe none); everything else is plausible (or hostile noise). */
export function requestFor(op: Operation, api: ApiDescription, fixtures: Fixtures): fc.Arbitrary<FuzzRequest> | null {
  const defects = defectsFor(op, api, fixtures);
  if (!defects.length && op.method !== 'get') return null; // nothing about it can be wrong: not a refusal to test
  const permitted = AUTHS.filter((a) => GRANTS[a].includes(op.access) && !['none', 'garbage', 'malformed', 'revoked'].includes(a));
  const allIds = Object.values(fixtures.ids).flat();
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const idem = op.params.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');

  const base: fc.Arbitrary<Draft> = fc.record({
    auth: fc.constantFrom(...(permitted.length ? permitted : (['none'] as Auth[]))),
    path: fc.record(
      Object.fromEntries(
        pathParams.map((p) => [p.name, fc.oneof(nonexistentId, ...(allIds.length ? [fc.constantFrom(...allIds)] : [])).map(encode)]),
      ),
    ),
    query: fc
      .subarray(queryParams)
      .chain((ps) =>
        ps.length
          ? fc.tuple(...ps.map((p) => queryValue(p, api).map((v) => [p.name, v] as [string, string])))
          : fc.constant([] as Array<[string, string]>),
      ),
    headers: idem
      ? fc.oneof(
          fc.constant({}),
          fc.stringMatching(/^[\x21-\x7e]{1,40}$/).map((k) => ({ 'idempotency-key': k })),
          fc.constant({ 'idempotency-key': 'fuzz-shared-key' }),
        )
      : fc.constant({}),
    body: op.body ? valueOf(op.body, api.resolve, 0, 5) : fc.constant(undefined),
    defects: fc.constant([] as string[]),
    authDefect: fc.constant(false),
  }) as fc.Arbitrary<Draft>;

  // A read changes nothing whatever it asks, so a GET may carry no defect at all: its hostile query values (year 0,
  // cursors out of range, …) then reach the handler instead of stopping at a refused key.
  const applied = defects.length
    ? fc.array(fc.oneof(...defects), { minLength: op.method === 'get' ? 0 : 1, maxLength: 2 })
    : fc.constant([] as Defect[]);
  const withDefects = fc
    .tuple(base, applied)
    .chain(([draft, apply]) => apply.reduce<fc.Arbitrary<Draft>>((acc, f) => acc.chain(f), fc.constant(draft)));
  // Extra query parameters nobody declared, on a share of requests (noise: a route may ignore them).
  const extraQuery = fc.option(
    fc.tuple(
      fc.constantFrom(
        'x',
        'limit[]',
        'admin',
        '__proto__',
        'cursor',
        '__proto__[polluted]',
        'constructor[prototype][polluted]',
        'a[b][c][d][e][f][g]',
      ),
      fc.constantFrom(...hostileEncoded.slice(0, 4), '1'),
    ),
    { freq: 8 },
  );

  return fc.tuple(withDefects, extraQuery).map(([d, extra]) => {
    let path = op.path;
    for (const [k, v] of Object.entries(d.path)) path = path.replace(`{${k}}`, v || '%20');
    const query = extra ? [...d.query, extra] : d.query;
    const url = query.length ? `${path}?${query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : path;
    const headers: Record<string, string> = { ...d.headers };
    let body = d.rawBody;
    if (!body && d.body !== undefined) body = Buffer.from(toJson(d.body));
    if (body) headers['content-type'] = d.contentType ?? 'application/json';
    if (d.contentType === '') delete headers['content-type'];
    return {
      operation: op.id,
      method: d.method ?? op.method.toUpperCase(),
      url,
      auth: d.auth,
      headers,
      body,
      defects: d.defects,
      authDefect: d.authDefect,
    };
  });
}
