import { z } from 'zod';
import { userTypes } from '../../src/db/schema';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { renderUser } from '../../src/users/render';
import { createUser, findUser, listUsers, type UserRow } from '../../src/users/users-repository';
import { createdQuery, createdRange, decodeSeqCursor, page, pageQuery, paginationSchema } from '../http/pagination';
import { defineRoute } from '../http/route';
import { reserveActivation, startWalletActivation } from '../wallet-activation';
import { giveBackActivation } from '../../src/wallets/activation-budget-repository';
import { ensureWallet } from '../../src/wallets/wallets';
import { text } from '../http/validation';

export const userSchema = z
  .object({
    id: z.string().meta({ example: 'usr_01jd3k8v2m4x7q9r5t6w8y0z2a' }),
    external_user_id: z.string(),
    email: z.string().nullable(),
    type: z.enum(userTypes),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'User' });

renderUser satisfies (u: UserRow) => z.infer<typeof userSchema>;
export { renderUser };

export const userIdParams = z.strictObject({ id: z.string().max(64) });

/** Loads the user or answers 404 USER_NOT_FOUND (a malformed id cannot name a user either). */
export async function requireUser(db: Parameters<typeof findUser>[0], id: string): Promise<UserRow> {
  const user = isId('usr', id) ? await findUser(db, id) : null;
  if (!user) throw new AppError('USER_NOT_FOUND', 'User not found', { user_id: id });
  return user;
}

export const userRoutes = [
  defineRoute({
    method: 'post',
    path: '/users',
    tag: 'Users',
    summary: 'Create a user',
    access: 'write',
    idempotency: { window: '7d' },
    body: z.strictObject({
      external_user_id: text(255).meta({ description: 'Your marketplace’s id for this user; unique' }),
      email: z.email().max(320).optional(),
      type: z.enum(userTypes),
    }),
    responses: {
      201: { description: 'Created', schema: z.object({ data: userSchema }) },
      409: { description: 'USER_ALREADY_EXISTS: details.existing_user_id names the user' },
      429: { description: 'RATE_LIMITED: details.budget names the daily wallet-activation budget that is spent' },
    },
    async handle({ body, deps, principal }) {
      // The wallet's activation is paid in the platform's XLM: it is taken from the day's budget before anything is
      // written, and given back if the user cannot be created.
      await reserveActivation(deps, principal!.id);
      const user = await createUser(deps.database.db, { externalUserId: body.external_user_id, email: body.email, type: body.type }).catch(
        async (err: unknown) => {
          await giveBackActivation(deps.database.pool, principal!.id);
          throw err;
        },
      );
      await ensureWallet(deps.database.db, deps.walletBox, user.id);
      await startWalletActivation(deps, user.id, principal!.id);
      return { status: 201, body: { data: renderUser(user) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users',
    tag: 'Users',
    summary: 'List users, newest first',
    access: 'read',
    query: z.strictObject({
      ...pageQuery,
      type: z.enum(userTypes).optional(),
      email: text(320).optional(),
      external_user_id: text(255).optional(),
      ...createdQuery,
    }),
    responses: { 200: { description: 'A page of users', schema: z.object({ data: z.array(userSchema), pagination: paginationSchema }) } },
    async handle({ query, deps }) {
      const rows = await listUsers(
        deps.database.db,
        {
          type: query.type,
          email: query.email,
          externalUserId: query.external_user_id,
          ...createdRange(query),
        },
        { limit: query.limit, beforeSeq: decodeSeqCursor(query.cursor) },
      );
      return { status: 200, body: page(rows, query.limit, (u) => u.seq, renderUser) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id',
    tag: 'Users',
    summary: 'Get a user',
    access: 'read',
    params: userIdParams,
    responses: { 200: { description: 'The user', schema: z.object({ data: userSchema }) }, 404: { description: 'USER_NOT_FOUND' } },
    async handle({ params, deps }) {
      return { status: 200, body: { data: renderUser(await requireUser(deps.database.db, params.id)) } };
    },
  }),
];
