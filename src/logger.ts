import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs; secrets that may pass through are redacted by path. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.secret', '*.key', 'key', 'secret', 'password'],
      censor: '[redacted]',
    },
  });
}
