/**
 * Whether `err` says PostgreSQL cannot be reached right now rather than that a statement failed: the connection was
 * refused, reset or lost, or the server is shutting down, starting up or recovering (SQLSTATE class 08 "connection
 * exception", 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now). drizzle wraps the driver's error
 * in `cause`; pg-pool's own connection failures are Node's socket errors or "Connection terminated" messages (fetch's
 * are TypeErrors, left out).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof TypeError) return false; // fetch's "fetch failed" (its cause a socket error): another service, not PostgreSQL
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || SHUTDOWN_CODES.has(code) || SOCKET_CODES.has(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /^Connection terminated|^timeout exceeded when trying to connect/.test(message)) return true;
  }
  return false;
}

const SHUTDOWN_CODES = new Set(['57P01', '57P02', '57P03']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
