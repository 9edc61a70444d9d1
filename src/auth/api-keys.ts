import crypto from 'node:crypto';
import { sha256Hex } from '../crypto/hashing';

export const SCOPES = ['read', 'write', 'support'] as const;
export type Scope = (typeof SCOPES)[number];

export const KEY_PREFIX = 'ohk_live_';
const PREFIX_LENGTH = 12;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new key: `ohk_live_` then 40 base62 characters, the first 12 of which are the (non-secret) lookup prefix. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const bytes = crypto.randomBytes(40);
  let body = '';
  for (const b of bytes) body += BASE62[b % 62]; // 256 % 62 bias is negligible at 40 characters (≈235 bits)
  const key = `${KEY_PREFIX}${body}`;
  return { key, prefix: lookupPrefix(key)!, hash: sha256Hex(key) };
}

/** The lookup prefix of a presented token, or null when it cannot be one of ours. */
export function lookupPrefix(token: string): string | null {
  if (!token.startsWith(KEY_PREFIX) || token.length !== KEY_PREFIX.length + 40) return null;
  const body = token.slice(KEY_PREFIX.length);
  return /^[0-9A-Za-z]{40}$/.test(body) ? body.slice(0, PREFIX_LENGTH) : null;
}
