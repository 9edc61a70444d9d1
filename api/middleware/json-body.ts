import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../src/errors';

/** Parses JSON bodies only; a body of any other content type is refused before it is read. */
export function jsonBody(limitBytes: number) {
  const parse = express.json({ limit: limitBytes, strict: true, type: 'application/json' });
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      return next(
        new AppError('VALIDATION_ERROR', 'Content-Type must be application/json', {
          fields: [{ field: 'headers.content-type', code: 'invalid_content_type', message: 'expected application/json' }],
        }),
      );
    }
    parse(req, res, next);
  };
}
