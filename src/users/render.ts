import type { users, userTypes } from '../db/schema';

type UserRow = typeof users.$inferSelect;
type UserType = (typeof userTypes)[number];

/** A user as `GET /users/{id}` answers it and user.* events carry it. */
export interface UserView {
  id: string;
  external_user_id: string;
  email: string | null;
  type: UserType;
  created_at: string;
  updated_at: string;
}

export function renderUser(u: UserRow): UserView {
  return {
    id: u.id,
    external_user_id: u.externalUserId,
    email: u.email,
    type: u.type,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}
