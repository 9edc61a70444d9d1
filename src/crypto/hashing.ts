import crypto from 'node:crypto';

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function digest(value: string): Buffer {
  return crypto.createHash('sha256').update(value).digest();
}

/** True when `value` hashes to `expected` (a SHA-256 digest); constant time, whatever the lengths. */
export function matchesDigest(value: string, expected: Buffer): boolean {
  return crypto.timingSafeEqual(digest(value), expected);
}

/** Compares two strings in time independent of where they differ (both are hashed first, so lengths leak nothing). */
export function constantTimeEqual(a: string, b: string): boolean {
  return matchesDigest(a, digest(b));
}
