import crypto from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** A prefixed id (`usr_...`, `key_...`) that sorts by creation time: 10 time characters then 16 random ones. */
export function newId(prefix: string): string {
  const bytes = crypto.randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b & 31];
  return `${prefix}_${encodeTime(Date.now())}${rand}`;
}

/** True when `value` has the shape of an id with this prefix; anything else cannot name a stored row. */
export function isId(prefix: string, value: string): boolean {
  return value.length === prefix.length + 27 && value.startsWith(`${prefix}_`) && /^[0-9a-z]{26}$/.test(value.slice(prefix.length + 1));
}

/** An id of the same shape derived from a seed: the same seed always names the same resource (retries find it again). */
export function derivedId(prefix: string, seed: string): string {
  const digest = crypto.createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += ALPHABET[digest[i] & 31];
  return `${prefix}_${out}`;
}
