import { startTestApi, type TestApi, unique } from '../helpers/app';

let api: TestApi;
let key: string;
beforeAll(async () => {
  api = await startTestApi();
  key = await api.keyWith('read', 'write');
});
afterAll(() => api.close());

const create = (body: object) => api.call('POST', '/api/v1/users', { key, body });

test('creating a user answers 201 with a usr_ id and the fields given', async () => {
  const ext = unique('ext');
  const res = await create({ external_user_id: ext, email: 'ana@example.com', type: 'BOTH' });
  expect(res.status).toBe(201);
  expect(res.body.data).toMatchObject({ external_user_id: ext, email: 'ana@example.com', type: 'BOTH' });
  expect(res.body.data.id).toMatch(/^usr_[0-9a-z]{26}$/);
  const got = await api.call('GET', `/api/v1/users/${res.body.data.id}`, { key });
  expect(got.status).toBe(200);
  expect(got.body.data).toEqual(res.body.data);
});

test('a second user with the same external_user_id answers 409 USER_ALREADY_EXISTS naming the existing user', async () => {
  const ext = unique('ext');
  const first = await create({ external_user_id: ext, type: 'BUYER' });
  const second = await create({ external_user_id: ext, type: 'SELLER' });
  expect(second.status).toBe(409);
  expect(second.body.error.code).toBe('USER_ALREADY_EXISTS');
  expect(second.body.error.details.existing_user_id).toBe(first.body.data.id);
});

test('an unknown or malformed user id answers 404 USER_NOT_FOUND', async () => {
  for (const id of ['usr_00000000000000000000000000', 'nope', 'usr_%00', encodeURIComponent('usr_ünïcødé')]) {
    const res = await api.call('GET', `/api/v1/users/${id}`, { key });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
  }
});

test('filters narrow the list: type, external_user_id, email, created_after', async () => {
  const tag = unique('flt');
  const seller = await create({ external_user_id: `${tag}-s`, email: `${tag}@example.com`, type: 'SELLER' });
  await create({ external_user_id: `${tag}-b`, type: 'BUYER' });
  const byExt = await api.call('GET', `/api/v1/users?external_user_id=${tag}-s`, { key });
  expect(byExt.body.data.map((u: { id: string }) => u.id)).toEqual([seller.body.data.id]);
  const byEmail = await api.call('GET', `/api/v1/users?email=${tag}@example.com&type=SELLER`, { key });
  expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([seller.body.data.id]);
  const byEmailWrongType = await api.call('GET', `/api/v1/users?email=${tag}@example.com&type=BUYER`, { key });
  expect(byEmailWrongType.body.data).toEqual([]);
  const future = await api.call('GET', `/api/v1/users?created_after=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, {
    key,
  });
  expect(future.body.data).toEqual([]);
  expect(future.body.pagination).toEqual({ has_more: false, next_cursor: null });
});

test('bad list parameters answer 400 VALIDATION_ERROR naming the parameter', async () => {
  for (const [qs, field] of [
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['cursor=not-a-cursor', 'query.cursor'],
    ['type=ADMIN', 'query.type'],
    ['created_after=yesterday', 'query.created_after'],
    ['unknown=1', 'query'],
  ]) {
    const res = await api.call('GET', `/api/v1/users?${qs}`, { key });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.fields[0].field).toBe(field);
  }
});

test('paging through 250 users while others are being inserted sees each of the 250 exactly once, newest first', async () => {
  const tag = unique('page');
  const ids: string[] = [];
  for (let i = 0; i < 250; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: 25 }, (_, j) => create({ external_user_id: `${tag}-${String(i + j).padStart(3, '0')}`, type: 'BUYER' })),
    );
    ids.push(...batch.map((r) => r.body.data.id));
  }
  let inserting = true;
  const inserter = (async () => {
    let n = 0;
    while (inserting) await create({ external_user_id: `${tag}-late-${n++}`, type: 'SELLER' });
    return n;
  })();
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: any = await api.call('GET', `/api/v1/users?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { key });
    expect(res.status).toBe(200);
    seen.push(
      ...res.body.data
        .filter((u: any) => u.external_user_id.startsWith(`${tag}-`) && !u.external_user_id.includes('late'))
        .map((u: any) => u.id),
    );
    cursor = res.body.pagination.next_cursor;
    expect(res.body.pagination.has_more).toBe(cursor !== null);
    pages++;
  } while (cursor && seen.length < 250);
  inserting = false;
  const lateCount = await inserter;
  expect(lateCount).toBeGreaterThan(0);
  expect(new Set(seen).size).toBe(seen.length);
  expect([...seen].sort()).toEqual([...ids].sort());
  expect(pages).toBeGreaterThan(250 / 7);
  expect(ids.indexOf(seen[0])).toBeGreaterThanOrEqual(225); // newest batch first
  expect(ids.indexOf(seen[seen.length - 1])).toBeLessThan(25); // oldest batch last
});
