import { routes } from '../../api/routes';
import { startTestApi, type TestApi, unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

/** Broken, mistyped, huge and odd input on every route: always a 4xx in the envelope, never a 500, never a change. */
let api: TestApi;
let key: string;
const db = testDatabase(2);
const tag = unique('hostile');
beforeAll(async () => {
  api = await startTestApi();
  key = await api.keyWith('read', 'write', 'support');
});
afterAll(async () => {
  await api.close();
  await db.close();
});

const strings = [
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  `${tag}\u0000nul`,
  `${tag}\ud800`,
  `${tag}\udfff\ud800`,
  '\u202e' + tag,
  '𝕏'.repeat(300),
  `${tag}\u0007bell`,
  `${tag}\r\ninjected: header`,
  "'; DROP TABLE users; --",
  '{"$ne": null}',
  '../../etc/passwd',
];
// eslint-disable-next-line no-loss-of-precision -- a number beyond 2^53 is one of the probes
const values: unknown[] = [null, true, 0, -1, 1e308, 12345678901234567890, [], [tag], {}, { nested: { deep: tag } }, ...strings];

function hostileBodies(fields: string[]): Array<{ name: string; raw: string }> {
  const out: Array<{ name: string; raw: string }> = [
    { name: 'broken JSON', raw: `{"${fields[0] ?? 'a'}": ` },
    { name: 'a JSON array', raw: '[]' },
    { name: 'a JSON string', raw: '"text"' },
    { name: 'JSON null', raw: 'null' },
    { name: 'prototype pollution', raw: `{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}` },
    { name: 'deep nesting', raw: '['.repeat(5000) + ']'.repeat(5000) },
    { name: 'unknown field only', raw: JSON.stringify({ [`${tag}_field`]: 1 }) },
  ];
  for (const f of fields) for (const [i, v] of values.entries()) out.push({ name: `${f} = value #${i}`, raw: JSON.stringify({ [f]: v }) });
  return out;
}

const bodyRoutes = routes.filter((r) => r.method === 'post');
describe.each(bodyRoutes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', (_n, route) => {
  const fields = route.body && 'shape' in route.body ? Object.keys((route.body as unknown as { shape: object }).shape) : [];
  test('refuses every hostile body with a 4xx envelope', async () => {
    const path = `/api/v1${route.path.replace(/:id/g, 'usr_00000000000000000000000000')}`;
    const auth = route.access === 'master' ? api.masterKey : key;
    for (const { name, raw } of hostileBodies(fields)) {
      const res = await api.call('POST', path, { key: auth, rawBody: raw, headers: { 'content-type': 'application/json' } });
      if (res.status < 400 || res.status >= 500) throw new Error(`${name}: answered ${res.status} ${res.text.slice(0, 200)}`);
      expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    }
  });
});

test('hostile path parameters and query strings answer 4xx, never 500', async () => {
  const ids = ['%00', '%ff%fe', 'usr_' + 'a'.repeat(5000), '..%2f..%2f', '%F0%9D%95%8F', 'usr_%27%3B%20DROP'];
  const queries = [
    'limit=%00',
    'cursor=%ff',
    `cursor=${'A'.repeat(5000)}`,
    'limit=1&limit=2',
    'type[]=BUYER',
    'email=%00',
    'created_after=9999-99-99',
    `external_user_id=${'x'.repeat(5000)}`,
  ];
  for (const r of routes.filter((x) => x.method !== 'post')) {
    const auth = r.access === 'master' ? api.masterKey : key;
    for (const id of r.path.includes(':id') ? ids : ['']) {
      const base = `/api/v1${r.path.replace(':id', id)}`;
      for (const q of r.query ? queries : ['']) {
        const res = await api.call(r.method.toUpperCase(), q ? `${base}?${q}` : base, { key: auth });
        if (res.status === 500) throw new Error(`${r.method} ${base}?${q}: answered ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  }
});

test('none of the hostile input left a trace', async () => {
  const users = await db.pool.query(`SELECT count(*)::int AS n FROM users WHERE external_user_id LIKE '%' || $1 || '%'`, [tag]);
  const keys = await db.pool.query(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE '%' || $1 || '%'`, [tag]);
  expect(users.rows[0].n).toBe(0);
  expect(keys.rows[0].n).toBe(0);
});
