import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../src/errors';

/** A request whose JSON body was read: the exact bytes are kept beside the parsed body. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

/** body-parser's `verify` hook: the raw bytes must be UTF-8 (RFC 8259 §8.1), or the body is refused before it is parsed. */
function strictUtf8(req: Request, _res: Response, buf: Buffer, encoding: string | null): void {
  // The bytes as received, for a route that verifies a signature over them (POST /webhooks/airtm).
  (req as RawBodyRequest).rawBody = buf;
  if (encoding !== null && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw Object.assign(new Error('JSON bodies must be UTF-8'), { type: 'charset.unsupported' });
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw Object.assign(new Error('Request body is not valid UTF-8'), { type: 'invalid_utf8' });
  }
}

/**
 * Where the first string (key or value) that PostgreSQL cannot store is, or null: text columns and jsonb refuse
 * U+0000, and jsonb refuses an unpaired surrogate (`\ud800`), which JSON can spell but UTF-8 cannot encode.
 */
export function unstorableText(value: unknown): string[] | null {
  const bad = (s: string) => s.includes('\u0000') || !s.isWellFormed();
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (bad(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: [...path, String(i)] }));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (bad(key)) return [...path, key];
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return null;
}

/**
 * Parses JSON bodies only; a body of any other content type is refused before it is read. The bytes must be UTF-8
 * (no silent U+FFFD stand-ins), and no string in the document may hold what PostgreSQL refuses to store.
 */
export function jsonBody(limitBytes: number) {
  const parse = express.json({ limit: limitBytes, strict: true, type: 'application/json', verify: strictUtf8 });
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      return next(
        new AppError('VALIDATION_ERROR', 'Content-Type must be application/json', {
          fields: [{ field: 'headers.content-type', code: 'invalid_content_type', message: 'expected application/json' }],
        }),
      );
    }
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      const path = unstorableText(req.body);
      if (path === null) return next();
      next(
        new AppError('VALIDATION_ERROR', 'Text in the body must be well-formed Unicode without NUL characters', {
          fields: [{ field: ['body', ...path].join('.'), code: 'invalid_text', message: 'contains U+0000 or an unpaired surrogate' }],
        }),
      );
    });
  };
}
