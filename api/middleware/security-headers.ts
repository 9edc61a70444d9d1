import type { NextFunction, Request, Response } from 'express';

/** The API answers JSON only: nothing in an answer may load, run or be framed. /docs sets its own (openapi/docs-page.ts). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A year, subdomains included; sent only on requests that came over TLS (RFC 6797 §7.2), as Express sees them. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Headers on every answer, errors included: no MIME sniffing, no framing, no Referer leaving the API, and HSTS when
 * the request came over TLS (`req.secure`: the socket, or X-Forwarded-Proto from a proxy TRUST_PROXY trusts).
 */
export function securityHeaders() {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', API_CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
}
