import crypto from 'node:crypto';
import { createSealer, createWalletBox, sealingKeyOf } from '../../src/crypto/sealed-box';
import { createSecretBox, parseKeyring, sealedKeyId } from '../../src/crypto/secret-box';

const key = () => crypto.randomBytes(32).toString('base64');
const SECRET = 'SCZANGBA5YHTNYVVV4C3U252E2B6P6F5T3U6MM63WBSBZATAQI3EBTQ4';

describe('wallet secrets sealed to a public key', () => {
  const ring = parseKeyring(`k1:${key()}`);
  const sealingKey = sealingKeyOf(ring, 'k1');

  it('the sealing key is the public half only: kid and 32 bytes, without the keyring material', () => {
    const [kid, raw] = sealingKey.split(':');
    expect(kid).toBe('k1');
    expect(Buffer.from(raw, 'base64')).toHaveLength(32);
    expect(raw).not.toBe(ring.get('k1')!.toString('base64'));
  });

  it('a secret sealed by the API-side sealer opens with the worker-side keyring, bound to its owner', () => {
    const sealer = createSealer(sealingKey);
    expect(Object.keys(sealer).sort()).toEqual(['activeKeyId', 'seal']); // nothing that opens
    const sealed = sealer.seal(SECRET, 'usr_1');
    expect(sealed.startsWith('v2.k1.')).toBe(true);
    expect(sealed).not.toContain('SCZANG');
    expect(sealedKeyId(sealed)).toBe('k1');
    const box = createWalletBox(ring, 'k1');
    expect(box.open(sealed, 'usr_1')).toBe(SECRET);
    expect(() => box.open(sealed, 'usr_2')).toThrow();
  });

  it('two seals of one secret differ (fresh ephemeral key and iv each time)', () => {
    const sealer = createSealer(sealingKey);
    expect(sealer.seal(SECRET, 'usr_1')).not.toBe(sealer.seal(SECRET, 'usr_1'));
  });

  it('a tampered ciphertext, a swapped ephemeral key, or a missing key id does not open', () => {
    const box = createWalletBox(ring, 'k1');
    const parts = createSealer(sealingKey).seal(SECRET, 'usr_1').split('.');
    const tampered = [...parts];
    tampered[5] = Buffer.from('x' + Buffer.from(parts[5], 'base64url').toString('latin1')).toString('base64url');
    expect(() => box.open(tampered.join('.'), 'usr_1')).toThrow();
    const swapped = [...parts];
    swapped[2] = crypto.generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64url');
    expect(() => box.open(swapped.join('.'), 'usr_1')).toThrow();
    expect(() => createWalletBox(parseKeyring(`k2:${key()}`), 'k2').open(parts.join('.'), 'usr_1')).toThrow(/k1/);
  });

  it('legacy v1 secrets (symmetric, sealed before this scheme) still open with the same keyring', () => {
    const legacy = createSecretBox(ring, 'k1').seal(SECRET, 'usr_1');
    expect(legacy.startsWith('v1.k1.')).toBe(true);
    expect(createWalletBox(ring, 'k1').open(legacy, 'usr_1')).toBe(SECRET);
  });

  it('a malformed sealing key is refused', () => {
    expect(() => createSealer('no-colon')).toThrow(/kid:base64/);
    expect(() => createSealer('k1:c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
