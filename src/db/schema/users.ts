import { bigserial, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const userTypes = ['BUYER', 'SELLER', 'BOTH'] as const;

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Insertion order; list endpoints page on it. */
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    externalUserId: text('external_user_id').notNull().unique(),
    email: text('email'),
    type: text('type', { enum: userTypes }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('users_email_idx').on(t.email), index('users_created_at_idx').on(t.createdAt)],
);
