import crypto from 'node:crypto';
import { createSecretBox, parseKeyring, sealedKeyId } from '../../src/crypto/secret-box';

const key = () => crypto.randomBytes(32).toString('base64');

test('a sealed secret opens with its key and names the key that sealed it', () => {
  const box = createSecretBox(parseKeyring(`k1:${key()}`), 'k1');
  const sealed = box.seal('SCZANGBA5YHTNYVVV4C3U252E2B6P6F5T3U6MM63WBSBZATAQI3EBTQ4', 'usr_1');
  expect(sealed).not.toContain('SCZANG');
  expect(sealedKeyId(sealed)).toBe('k1');
  expect(box.open(sealed, 'usr_1')).toBe('SCZANGBA5YHTNYVVV4C3U252E2B6P6F5T3U6MM63WBSBZATAQI3EBTQ4');
});

test('after rotation, new secrets use the new key and old ones still open', () => {
  const k1 = key();
  const old = createSecretBox(parseKeyring(`k1:${k1}`), 'k1').seal('old secret', 'usr_1');
  const rotated = createSecretBox(parseKeyring(`k1:${k1},k2:${key()}`), 'k2');
  expect(rotated.open(old, 'usr_1')).toBe('old secret');
  expect(sealedKeyId(rotated.seal('new', 'usr_1'))).toBe('k2');
});

test('a ciphertext moved to another owner, tampered with, or whose key is gone does not open', () => {
  const k1 = key();
  const box = createSecretBox(parseKeyring(`k1:${k1}`), 'k1');
  const sealed = box.seal('secret', 'usr_1');
  expect(() => box.open(sealed, 'usr_2')).toThrow();
  const parts = sealed.split('.');
  parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1')).toString('base64url');
  expect(() => box.open(parts.join('.'), 'usr_1')).toThrow();
  expect(() => createSecretBox(parseKeyring(`k2:${key()}`), 'k2').open(sealed, 'usr_1')).toThrow(/k1/);
});

test('bad keyrings are refused with a reason', () => {
  expect(() => parseKeyring('')).toThrow(/at least one/);
  expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/32 bytes/);
  expect(() => parseKeyring(`k1:${key()},k1:${key()}`)).toThrow(/twice/);
  expect(() => createSecretBox(parseKeyring(`k1:${key()}`), 'k9')).toThrow(/k9/);
});
