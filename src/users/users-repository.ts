import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users, type userTypes } from '../db/schema';
import { AppError } from '../errors';
import { insertEvent } from '../events/events-repository';
import { newId } from '../ids';
import { renderUser } from './render';

export type UserRow = typeof users.$inferSelect;
export type UserType = (typeof userTypes)[number];

export interface UserFilter {
  type?: UserType;
  email?: string;
  externalUserId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

/** Creates a user; a second user with the same external id is refused with the existing user's id. */
export async function createUser(db: Db, input: { externalUserId: string; email?: string; type: UserType }): Promise<UserRow> {
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ id: newId('usr'), externalUserId: input.externalUserId, email: input.email ?? null, type: input.type })
      .onConflictDoNothing({ target: users.externalUserId })
      .returning();
    if (created) {
      await insertEvent(tx, {
        dedupeKey: `user.created:${created.id}`,
        type: 'user.created',
        resourceId: created.id,
        userIds: [created.id],
        data: { ...renderUser(created) },
      });
    }
    return created;
  });
  if (row) return row;
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.externalUserId, input.externalUserId));
  throw new AppError('USER_ALREADY_EXISTS', 'A user with this external_user_id already exists', { existing_user_id: existing?.id });
}

const findUserStatements = new WeakMap<Db, ReturnType<typeof prepareFindUser>>();
const prepareFindUser = (db: Db) =>
  db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('find_user_by_id');

/** The hottest read of the API: built once per database handle and prepared once per connection. */
export async function findUser(db: Db, id: string): Promise<UserRow | null> {
  let statement = findUserStatements.get(db);
  if (!statement) findUserStatements.set(db, (statement = prepareFindUser(db)));
  const [row] = await statement.execute({ id });
  return row ?? null;
}

/** Newest first, keyset-paged on insertion order so concurrent inserts never shift a page. */
export async function listUsers(db: Db, filter: UserFilter, page: { limit: number; beforeSeq?: number }): Promise<UserRow[]> {
  const where: SQL[] = [];
  if (page.beforeSeq !== undefined) where.push(lt(users.seq, page.beforeSeq));
  if (filter.type) where.push(eq(users.type, filter.type));
  if (filter.email) where.push(eq(users.email, filter.email));
  if (filter.externalUserId) where.push(eq(users.externalUserId, filter.externalUserId));
  if (filter.createdAfter) where.push(gte(users.createdAt, filter.createdAfter));
  if (filter.createdBefore) where.push(lte(users.createdAt, filter.createdBefore));
  return db
    .select()
    .from(users)
    .where(and(...where))
    .orderBy(desc(users.seq))
    .limit(page.limit + 1);
}
