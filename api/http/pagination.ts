import { z } from 'zod';
import { decodeCursor as decodeCursorPosition, encodeCursor } from '../../src/cursor';
import { AppError } from '../../src/errors';
import { isId } from '../../src/ids';
import { text } from './validation';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page (1–100, default 20)' }),
  cursor: text(200).optional().meta({ description: 'Opaque cursor from the previous page’s `pagination.next_cursor`' }),
};

const invalidCursor = () =>
  new AppError('VALIDATION_ERROR', 'Invalid cursor', {
    fields: [{ field: 'query.cursor', code: 'invalid_cursor', message: 'not a cursor this API issued' }],
  });

/** The position of a cursor from the query string; 400 VALIDATION_ERROR for one this API did not issue. */
function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursorPosition(cursor);
  if (position === null) throw invalidCursor();
  return position;
}

/** A position on a `seq` column (bigserial read as a JS number): at most 15 digits, exact in a double and in a bigint. */
export function decodeSeqCursor(cursor: string | undefined): number | undefined {
  const raw = decodeCursor(cursor);
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw invalidCursor();
  return Number(raw);
}

/** A position on an id column: an id with this prefix, or 400 (any other text could carry what PostgreSQL refuses, e.g. NUL). */
export function decodeIdCursor(cursor: string | undefined, prefix: string): string | undefined {
  const raw = decodeCursor(cursor);
  if (raw !== undefined && !isId(prefix, raw)) throw invalidCursor();
  return raw;
}

/** Rows were fetched with `limit + 1`; the extra one only tells whether another page exists. */
export function page<T, R>(rows: T[], limit: number, position: (row: T) => string | number, render: (row: T) => R) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: items.map(render),
    pagination: { has_more: hasMore, next_cursor: hasMore ? encodeCursor(position(items[items.length - 1])) : null },
  };
}

export const paginationSchema = z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() });

/**
 * An ISO date or date-time that PostgreSQL's timestamptz can hold: years 1 to 9999 once converted to UTC (zod accepts
 * year 0000, and an offset can carry 9999-12-31 into year 10000; PostgreSQL refuses both).
 */
export const isoDate = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .refine((s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must be between 0001-01-01 and 9999-12-31 (UTC)');

/** The `created_after` / `created_before` filters of list endpoints (ISO dates or date-times). */
export const createdQuery = {
  created_after: isoDate.optional().meta({ description: 'Only items created at or after this time' }),
  created_before: isoDate.optional().meta({ description: 'Only items created at or before this time' }),
};

export function createdRange(query: { created_after?: string; created_before?: string }): { createdAfter?: Date; createdBefore?: Date } {
  return {
    createdAfter: query.created_after ? new Date(query.created_after) : undefined,
    createdBefore: query.created_before ? new Date(query.created_before) : undefined,
  };
}
