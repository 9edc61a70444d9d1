import { z } from 'zod';
import { AppError } from '../../src/errors';

/** Text a person typed: bounded, well-formed Unicode, no control characters (PostgreSQL rejects NUL outright). */
export function text(max: number) {
  return (
    z
      .string()
      .min(1)
      .max(max)
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
      .refine((s) => s.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(s), 'must be well-formed text without control characters')
  );
}

export type Location = 'body' | 'query' | 'params';

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, location: Location): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('VALIDATION_ERROR', `Invalid ${location}`, {
    fields: result.error.issues.map((i) => ({
      field: [location, ...i.path.map(String)].join('.'),
      code: i.code,
      message: i.message,
      ...(i.code === 'unrecognized_keys' ? { keys: i.keys } : {}),
    })),
  });
}
