import { routes } from '../../api/routes';
import { encodeCursor } from '../../src/cursor';
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

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong NUL, a truncated sequence) inside a JSON string. */
const notUtf8 = (field: string) =>
  Buffer.concat([Buffer.from(`{"${field}": "${tag}`), Buffer.from([0x80, 0xc0, 0x80, 0xe2, 0x82]), Buffer.from('"}')]);

function hostileBodies(fields: string[]): Array<{ name: string; raw: string | Buffer }> {
  const out: Array<{ name: string; raw: string | Buffer }> = [
    { name: 'broken JSON', raw: `{"${fields[0] ?? 'a'}": ` },
    { name: 'a JSON array', raw: '[]' },
    { name: 'a JSON string', raw: '"text"' },
    { name: 'JSON null', raw: 'null' },
    { name: 'prototype pollution', raw: `{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}` },
    { name: 'deep nesting', raw: '['.repeat(5000) + ']'.repeat(5000) },
    { name: 'unknown field only', raw: JSON.stringify({ [`${tag}_field`]: 1 }) },
    { name: 'bytes that are not UTF-8', raw: notUtf8(fields[0] ?? 'a') },
    { name: 'NUL in a nested key', raw: JSON.stringify({ [fields[0] ?? 'a']: { 'k\u0000': 'v' } }) },
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
      // The on-ramp's routes refuse in document 003's envelope (api/middleware/errors.ts errorBodyFor).
      expect(route.path.startsWith('/onramp/') ? res.body.responseObject.errorCode : res.body.error.code).toMatch(/^[A-Z_]+$/);
    }
  });
});

test('every hostile path parameter and query string answers a 4xx envelope', async () => {
  const ids = ['%00', '%ff%fe', 'usr_' + 'a'.repeat(5000), '..%2f..%2f', '%F0%9D%95%8F', 'usr_%27%3B%20DROP'];
  const queries = [
    'limit=%00',
    'cursor=%ff',
    `cursor=${'A'.repeat(5000)}`,
    // Positions this API could have issued in form, but beyond PostgreSQL's bigint.
    `cursor=${encodeCursor('9223372036854775808')}`,
    `cursor=${encodeCursor('99999999999999999999')}`,
    `cursor=${encodeCursor('key_\u0000')}`,
    'limit=1&limit=2',
    'type[]=BUYER',
    'email=%00',
    'created_after=9999-99-99',
    // Well-formed ISO dates outside what a PostgreSQL timestamp holds (year 0, or past 9999 once in UTC).
    'created_after=0000-01-01',
    'created_before=0000-12-31T23:59:59Z',
    'created_after=0001-01-01T00:00:00%2B14:00',
    'created_before=9999-12-31T23:59:59-14:00',
    `external_user_id=${'x'.repeat(5000)}`,
  ];
  let probes = 0;
  for (const r of routes.filter((x) => x.method !== 'post')) {
    const auth = r.access === 'master' ? api.masterKey : key;
    for (const id of r.path.includes(':id') ? ids : ['']) {
      const base = `/api/v1${r.path.replace(':id', id)}`;
      for (const q of r.query ? queries : ['']) {
        if (!id && !q) continue; // nothing hostile in this request
        probes++;
        const res = await api.call(r.method.toUpperCase(), q ? `${base}?${q}` : base, { key: auth });
        if (res.status < 400 || res.status >= 500)
          throw new Error(`${r.method} ${base}?${q}: answered ${res.status} ${res.text.slice(0, 200)}`);
        // The on-ramp's own refusals keep document 003's envelope (api/routes/onramp.ts).
        expect(res.body.error?.code ?? res.body.responseObject?.errorCode).toMatch(/^[A-Z_]+$/);
      }
    }
  }
  expect(probes).toBeGreaterThan(100);
});

test('a history cursor beyond bigint answers 400 VALIDATION_ERROR', async () => {
  const user = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('cursor'), type: 'BUYER' } });
  for (const position of ['9223372036854775808', '9999999999999999999']) {
    const res = await api.call('GET', `/api/v1/users/${user.body.data.id}/transactions?cursor=${encodeCursor(position)}`, { key });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  }
  const last = await api.call('GET', `/api/v1/users/${user.body.data.id}/transactions?cursor=${encodeCursor('9223372036854775807')}`, {
    key,
  });
  expect(last.status).toBe(200);
});

test.each(['/users', '/orders', '/withdrawals'])(
  'created_after/before out of PostgreSQL’s range on %s answer 400 VALIDATION_ERROR',
  async (path) => {
    for (const q of ['created_after=0000-01-01', 'created_before=0001-01-01T00:00:00%2B14:00', 'created_after=9999-12-31T23:59:59-14:00']) {
      const res = await api.call('GET', `/api/v1${path}?${q}`, { key });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.fields[0].field).toMatch(/^query\.created_(after|before)$/);
    }
    for (const q of ['created_after=0001-01-01', 'created_before=9999-12-31T23:59:59Z']) {
      expect((await api.call('GET', `/api/v1${path}?${q}`, { key })).status).toBe(200);
    }
  },
);

describe('POST /orders with text PostgreSQL’s jsonb cannot hold', () => {
  let buyer: string;
  let seller: string;
  beforeAll(async () => {
    const make = async (type: string) =>
      (await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('meta'), type } })).body.data.id as string;
    buyer = await make('BUYER');
    seller = await make('SELLER');
  });
  const order = (metadata: object) => ({
    buyer_id: buyer,
    seller_id: seller,
    amount: '10',
    currency: 'USD',
    title: `${tag} order`,
    metadata,
  });

  test.each([
    ['a NUL in a metadata value', { note: 'a\u0000b' }, 'body.metadata.note'],
    ['a NUL in a metadata key', { 'no\u0000te': 'x' }, 'body.metadata.no\u0000te'],
    ['a lone surrogate in a metadata value', { note: 'a\ud800b' }, 'body.metadata.note'],
  ])('%s answers 400 VALIDATION_ERROR naming the field, and creates nothing', async (_name, metadata, field) => {
    const res = await api.call('POST', '/api/v1/orders', { key, body: order(metadata) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.fields[0].field).toBe(field);
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1', [buyer]);
    expect(rows.rows[0].n).toBe(0);
  });
});

test.each([
  ['a text memo', 'a\u0000b', 'body.destination.memo'],
  ['a typed text memo', { type: 'text', value: 'a\u0000b' }, 'body.destination.memo.value'],
])('a NUL in %s of a withdrawal answers 400 VALIDATION_ERROR naming the field, and records nothing', async (_name, memo, field) => {
  const user = await api.call('POST', '/api/v1/users', { key, body: { external_user_id: unique('memo'), type: 'BUYER' } });
  const destination = { type: 'stellar', address: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7', memo };
  const res = await api.call('POST', '/api/v1/withdrawals', {
    key,
    body: { user_id: user.body.data.id, amount: '1', currency: 'USD', destination },
    headers: { 'idempotency-key': unique('memo') },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.fields[0]).toMatchObject({ field, code: 'invalid_text' });
  const rows = await db.pool.query('SELECT count(*)::int AS n FROM withdrawals WHERE user_id = $1', [user.body.data.id]);
  expect(rows.rows[0].n).toBe(0);
});

test('a body that is not valid UTF-8 answers 400 VALIDATION_ERROR and stores nothing (no U+FFFD stand-ins)', async () => {
  const ext = unique('utf8');
  const raw = Buffer.concat([Buffer.from(`{"external_user_id": "${ext}`), Buffer.from([0xff, 0xfe]), Buffer.from('", "type": "BUYER"}')]);
  const res = await api.call('POST', '/api/v1/users', { key, rawBody: raw, headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.fields[0]).toMatchObject({ field: 'body', code: 'invalid_utf8' });
  const rows = await db.pool.query('SELECT count(*)::int AS n FROM users WHERE external_user_id LIKE $1', [`${ext}%`]);
  expect(rows.rows[0].n).toBe(0);
});

test('a JSON body in another charset than UTF-8 answers 400 VALIDATION_ERROR', async () => {
  const raw = Buffer.from(JSON.stringify({ external_user_id: unique('utf16'), type: 'BUYER' }), 'utf16le');
  const res = await api.call('POST', '/api/v1/users', {
    key,
    rawBody: raw,
    headers: { 'content-type': 'application/json; charset=utf-16le' },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
});

test('none of the hostile input left a trace', async () => {
  const users = await db.pool.query(`SELECT count(*)::int AS n FROM users WHERE external_user_id LIKE '%' || $1 || '%'`, [tag]);
  const keys = await db.pool.query(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE '%' || $1 || '%'`, [tag]);
  const orders = await db.pool.query(`SELECT count(*)::int AS n FROM orders WHERE title LIKE '%' || $1 || '%'`, [tag]);
  expect(users.rows[0].n).toBe(0);
  expect(keys.rows[0].n).toBe(0);
  expect(orders.rows[0].n).toBe(0);
});
