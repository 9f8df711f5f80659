import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptError } from '../src/microsoft/token-cipher';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const spec = (id: string, key: Buffer) => `${id}:${key.toString('base64')}`;
const secret = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.refresh-token-like-secret';

test('a value round-trips and is self-describing: v1.<keyId>.<iv>.<tag>.<ciphertext>', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA)]);
  const value = cipher.encrypt(secret);
  const [version, keyId, iv, tag, body] = value.split('.');
  assert.equal(version, 'v1');
  assert.equal(keyId, 'k1');
  assert.equal(Buffer.from(iv, 'base64url').length, 12);
  assert.equal(Buffer.from(tag, 'base64url').length, 16);
  assert.ok(body.length > 0);
  assert.ok(!value.includes(secret));
  assert.equal(cipher.decrypt(value), secret);
});

test('every encryption uses a fresh IV, so equal tokens give different ciphertexts', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA)]);
  const values = new Set(Array.from({ length: 50 }, () => cipher.encrypt(secret)));
  assert.equal(values.size, 50);
  assert.equal(new Set([...values].map((v) => v.split('.')[2])).size, 50);
});

test('the wrong key under the same id fails loudly', () => {
  const value = TokenCipher.fromConfig([spec('k1', keyA)]).encrypt(secret);
  const wrong = TokenCipher.fromConfig([spec('k1', keyB)]);
  assert.throws(() => wrong.decrypt(value), TokenDecryptError);
});

test('an unknown key id, a tampered value, a relabelled key id and garbage are all refused', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA), spec('k2', keyA)]);
  const value = cipher.encrypt(secret);
  assert.throws(() => TokenCipher.fromConfig([spec('other', keyA)]).decrypt(value), /unknown key id k1/);

  const parts = value.split('.');
  const body = Buffer.from(parts[4], 'base64url');
  body[0] ^= 1;
  assert.throws(
    () => cipher.decrypt([...parts.slice(0, 4), body.toString('base64url')].join('.')),
    TokenDecryptError,
  );
  // Same key bytes, other id: the id is authenticated data, so relabelling breaks the tag.
  assert.throws(() => cipher.decrypt(['v1', 'k2', ...parts.slice(2)].join('.')), TokenDecryptError);
  for (const junk of ['', 'plain-token', 'v2.k1.a.b.c', 'v1.k1.AAAA.BBBB.CCCC']) {
    assert.throws(() => cipher.decrypt(junk), TokenDecryptError, junk);
  }
});

test('rotation: the active key encrypts new values, older keys still decrypt their values', () => {
  const before = TokenCipher.fromConfig([spec('old', keyA)]);
  const oldValue = before.encrypt(secret);
  const after = TokenCipher.fromConfig([spec('old', keyA), spec('new', keyB)], 'new');
  assert.equal(after.decrypt(oldValue), secret);
  const newValue = after.encrypt(secret);
  assert.equal(newValue.split('.')[1], 'new');
  assert.throws(() => before.decrypt(newValue), /unknown key id new/);
});

test('a key ring without the active key, or with a short key, does not start', () => {
  assert.throws(() => TokenCipher.fromConfig([spec('k1', keyA)], 'k9'), /not in the key ring/);
  assert.throws(() => TokenCipher.fromConfig([spec('k1', randomBytes(16))]), /32 bytes/);
});
