/**
 * An HTTP `Retry-After` value (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) in milliseconds from `now`; null when
 * there is none or it cannot be read.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
