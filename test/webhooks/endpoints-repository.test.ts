import { createDatabase, type Database } from '../../src/db/client';
import { newId } from '../../src/ids';
import { deleteEndpoint, findEndpoint, insertEndpoint, type NewEndpoint } from '../../src/webhooks/webhooks-repository';

/** A registration retried under the same derived id (its first answer lost, or its workflow not started) converges. */
let database: Database;
beforeAll(() => {
  database = createDatabase(process.env.DATABASE_URL!, 2);
});
afterAll(() => database.close());

const endpoint = (overrides: Partial<NewEndpoint> = {}): NewEndpoint => ({
  id: newId('whk'),
  owner: 'key_owner',
  url: 'https://8.8.8.8/hook',
  eventTypes: ['order.*'],
  description: null,
  secretSealed: 'sealed-1',
  cursor: 10n,
  ...overrides,
});

test('registered again while active: the new secret replaces the old, the cursor stays', async () => {
  const first = endpoint();
  await insertEndpoint(database.db, first);
  const again = await insertEndpoint(database.db, { ...first, secretSealed: 'sealed-2', cursor: 50n });
  expect(again).toMatchObject({ id: first.id, status: 'active', secretSealed: 'sealed-2', cursor: 10n });
  await deleteEndpoint(database.db, first.id, first.owner);
});

test('registered again after its rollback (deleted): active again, from the new cursor', async () => {
  const first = endpoint();
  await insertEndpoint(database.db, first);
  expect(await deleteEndpoint(database.db, first.id, first.owner)).toBe(true);
  const again = await insertEndpoint(database.db, { ...first, secretSealed: 'sealed-2', cursor: 50n });
  expect(again).toMatchObject({ id: first.id, status: 'active', secretSealed: 'sealed-2', cursor: 50n });
  expect((await findEndpoint(database.db, first.id, first.owner))?.status).toBe('active');
  await deleteEndpoint(database.db, first.id, first.owner);
});

test('the same id for another owner changes nothing and answers null', async () => {
  const first = endpoint();
  await insertEndpoint(database.db, first);
  expect(await insertEndpoint(database.db, { ...first, owner: 'key_other', secretSealed: 'theirs' })).toBeNull();
  expect(await findEndpoint(database.db, first.id, first.owner)).toMatchObject({ owner: 'key_owner', secretSealed: 'sealed-1' });
  await deleteEndpoint(database.db, first.id, first.owner);
});
