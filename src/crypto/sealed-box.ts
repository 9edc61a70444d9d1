import crypto from 'node:crypto';
import { createSecretBox, type Sealer, type SecretBox } from './secret-box';

/**
 * Wallet secrets are sealed to a public key, so the process that creates wallets (the API) can seal but never open:
 * only the worker, which signs, holds the private keys. X25519 key agreement with a fresh ephemeral key per secret,
 * HKDF-SHA256 into an AES-256-GCM key, the owner's id bound as associated data.
 * Format: `v2.<keyId>.<ephemeralPublic>.<iv>.<tag>.<ciphertext>` (base64url parts). `v1` secrets (symmetric, sealed
 * before this scheme) still open with the same keyring, and `npm run wallets:reseal` moves them to the active key.
 */

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const INFO = 'offerhub wallet seal v2';

/** The X25519 private key of a keyring entry, derived (HKDF) so the same 32 bytes never serve two algorithms. */
function privateKeyOf(keyMaterial: Buffer): crypto.KeyObject {
  const raw = Buffer.from(crypto.hkdfSync('sha256', keyMaterial, 'offerhub', 'wallet x25519', 32));
  return crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
}

function rawPublic(key: crypto.KeyObject): Buffer {
  return crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.length);
}

function publicKeyFromRaw(raw: Buffer): crypto.KeyObject {
  if (raw.length !== 32) throw new Error('an X25519 public key is 32 bytes');
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: 'der', type: 'spki' });
}

function aesKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), INFO, 32));
}

/** `kid:base64(32-byte X25519 public key)`: what the API is given instead of the keyring. */
export function sealingKeyOf(keyring: Map<string, Buffer>, keyId: string): string {
  const material = keyring.get(keyId);
  if (!material) throw new Error(`the wallet key id "${keyId}" is not in the keyring`);
  return `${keyId}:${rawPublic(privateKeyOf(material)).toString('base64')}`;
}

/** A sealer from `kid:base64(public key)`: seals wallet secrets, cannot open any. */
export function createSealer(sealingKey: string): Sealer {
  const i = sealingKey.indexOf(':');
  if (i <= 0) throw new Error('the wallet sealing key must be written kid:base64(public key)');
  const keyId = sealingKey.slice(0, i);
  const recipientRaw = Buffer.from(sealingKey.slice(i + 1), 'base64');
  const recipient = publicKeyFromRaw(recipientRaw);
  return {
    activeKeyId: keyId,
    seal(plain, boundTo) {
      const ephemeral = crypto.generateKeyPairSync('x25519');
      const ephemeralRaw = rawPublic(ephemeral.privateKey);
      const key = aesKey(crypto.diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), ephemeralRaw, recipientRaw);
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v2', keyId, ephemeralRaw, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
  };
}

/** The worker's wallet box: seals to the active key, opens `v2` secrets by X25519 and legacy `v1` ones symmetrically. */
export function createWalletBox(keyring: Map<string, Buffer>, activeKeyId: string): SecretBox {
  const sealer = createSealer(sealingKeyOf(keyring, activeKeyId));
  const legacy = createSecretBox(keyring, activeKeyId);
  return {
    activeKeyId,
    seal: sealer.seal,
    open(sealed, boundTo) {
      if (!sealed.startsWith('v2.')) return legacy.open(sealed, boundTo);
      const [, keyId, ephemeral, iv, tag, body] = sealed.split('.');
      if (!body) throw new Error('not a sealed wallet secret');
      const material = keyring.get(keyId);
      if (!material) throw new Error(`wallet key "${keyId}" is not configured; cannot open this secret`);
      const privateKey = privateKeyOf(material);
      const ephemeralRaw = Buffer.from(ephemeral, 'base64url');
      const shared = crypto.diffieHellman({ privateKey, publicKey: publicKeyFromRaw(ephemeralRaw) });
      const decipher = crypto.createDecipheriv(
        'aes-256-gcm',
        aesKey(shared, ephemeralRaw, rawPublic(privateKey)),
        Buffer.from(iv, 'base64url'),
      );
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
