import crypto from 'node:crypto';

/**
 * Encrypts secrets at rest with AES-256-GCM under a keyring: stored idempotent responses that hold a secret, and
 * wallet secrets sealed before wallets were sealed to a public key (src/crypto/sealed-box.ts). Each ciphertext names
 * the key that sealed it, so keys can be
 * rotated: new secrets use the active key, old ones still open with theirs.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The user id is bound as associated data, so a
 * ciphertext copied onto another user's row does not open.
 */
export interface Sealer {
  activeKeyId: string;
  seal(plain: string, boundTo: string): string;
}

export interface SecretBox extends Sealer {
  open(sealed: string, boundTo: string): string;
}

/** Parses `kid:base64key[,kid:base64key…]`; every key must be 32 bytes. */
export function parseKeyring(spec: string): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    if (i <= 0) throw new Error('each key must be written kid:base64key');
    const id = part.slice(0, i);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`key id "${id}" must be 1-32 letters, digits, _ or -`);
    const key = Buffer.from(part.slice(i + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes (base64), got ${key.length}`);
    if (ring.has(id)) throw new Error(`key id "${id}" appears twice`);
    ring.set(id, key);
  }
  if (ring.size === 0) throw new Error('at least one key is needed');
  return ring;
}

export function createSecretBox(keyring: Map<string, Buffer>, activeKeyId: string): SecretBox {
  const active = keyring.get(activeKeyId);
  if (!active) throw new Error(`the active key id "${activeKeyId}" is not in the keyring`);
  return {
    activeKeyId,
    seal(plain, boundTo) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', active, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', activeKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, boundTo) {
      const [version, keyId, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !body) throw new Error('not a sealed secret');
      const key = keyring.get(keyId);
      if (!key) throw new Error(`key "${keyId}" is not configured; cannot open this secret`);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** The key id a sealed secret names (for rotation: re-seal everything not under the active key). */
export function sealedKeyId(sealed: string): string {
  return sealed.split('.')[1];
}
