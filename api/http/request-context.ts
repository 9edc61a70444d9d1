import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../src/logger';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a sane X-Request-ID or makes one, and gives the request a logger that carries it. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : crypto.randomUUID();
    res.setHeader('X-Request-ID', id);
    res.locals.requestId = id;
    const log = logger.child({ requestId: id });
    res.locals.log = log;
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.info(
        { method: req.method, route: res.locals.route ?? req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}

export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}
