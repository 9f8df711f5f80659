import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptError, tokenBinding } from '../src/microsoft/token-cipher';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const spec = (id: string, key: Buffer) => `${id}:${key.toString('base64')}`;
const secret = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.refresh-token-like-secret';
const row = 'outlook_accounts.token_cache:user-a';

test('a value round-trips and is self-describing: v2.<keyId>.<iv>.<tag>.<ciphertext>', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA)]);
  const value = cipher.encrypt(secret, row);
  const [version, keyId, iv, tag, body] = value.split('.');
  assert.equal(version, 'v2');
  assert.equal(keyId, 'k1');
  assert.equal(Buffer.from(iv, 'base64url').length, 12);
  assert.equal(Buffer.from(tag, 'base64url').length, 16);
  assert.ok(body.length > 0);
  assert.ok(!value.includes(secret));
  assert.equal(cipher.decrypt(value, row), secret);
});

test('every encryption uses a fresh IV, so equal tokens give different ciphertexts', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA)]);
  const values = new Set(Array.from({ length: 50 }, () => cipher.encrypt(secret, row)));
  assert.equal(values.size, 50);
  assert.equal(new Set([...values].map((v) => v.split('.')[2])).size, 50);
});

test('the wrong key under the same id fails loudly', () => {
  const value = TokenCipher.fromConfig([spec('k1', keyA)]).encrypt(secret, row);
  const wrong = TokenCipher.fromConfig([spec('k1', keyB)]);
  assert.throws(() => wrong.decrypt(value, row), TokenDecryptError);
});

test('an unknown key id, a tampered value, a relabelled key id and garbage are all refused', () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA), spec('k2', keyA)]);
  const value = cipher.encrypt(secret, row);
  assert.throws(() => TokenCipher.fromConfig([spec('other', keyA)]).decrypt(value, row), /unknown key id k1/);

  const parts = value.split('.');
  const body = Buffer.from(parts[4], 'base64url');
  body[0] ^= 1;
  assert.throws(
    () => cipher.decrypt([...parts.slice(0, 4), body.toString('base64url')].join('.'), row),
    TokenDecryptError,
  );
  // Same key bytes, other id: the id is authenticated data, so relabelling breaks the tag.
  assert.throws(() => cipher.decrypt(['v2', 'k2', ...parts.slice(2)].join('.'), row), TokenDecryptError);
  for (const junk of ['', 'plain-token', 'v3.k1.a.b.c', 'v2.k1.AAAA.BBBB.CCCC', 'v1.k1.AAAA.BBBB.CCCC']) {
    assert.throws(() => cipher.decrypt(junk, row), TokenDecryptError, junk);
  }
});

test('rotation: the active key encrypts new values, older keys still decrypt their values', () => {
  const before = TokenCipher.fromConfig([spec('old', keyA)]);
  const oldValue = before.encrypt(secret, row);
  const after = TokenCipher.fromConfig([spec('old', keyA), spec('new', keyB)], 'new');
  assert.equal(after.decrypt(oldValue, row), secret);
  const newValue = after.encrypt(secret, row);
  assert.equal(newValue.split('.')[1], 'new');
  assert.throws(() => before.decrypt(newValue, row), /unknown key id new/);
});

test('a key ring without the active key, or with a short key, does not start', () => {
  assert.throws(() => TokenCipher.fromConfig([spec('k1', keyA)], 'k9'), /not in the key ring/);
  assert.throws(() => TokenCipher.fromConfig([spec('k1', randomBytes(16))]), /32 bytes/);
});

test("a value moved to another user's row, or to another column, no longer decrypts", () => {
  const cipher = TokenCipher.fromConfig([spec('k1', keyA)]);
  const value = cipher.encrypt(secret, tokenBinding('user-a', 'token_cache'));
  assert.equal(cipher.decrypt(value, tokenBinding('user-a', 'token_cache')), secret);
  assert.throws(() => cipher.decrypt(value, tokenBinding('user-b', 'token_cache')), TokenDecryptError);
  assert.throws(() => cipher.decrypt(value, tokenBinding('user-a', 'access_token')), TokenDecryptError);
  // Relabelled as a legacy (unbound) value: the version is authenticated too.
  assert.throws(() => cipher.decrypt(value.replace(/^v2\./, 'v1.'), row), TokenDecryptError);
});

test('a value written before values were bound to their row (v1) still decrypts', () => {
  const iv = randomBytes(12);
  const legacy = createCipheriv('aes-256-gcm', keyA, iv);
  legacy.setAAD(Buffer.from('v1.k1'));
  const body = Buffer.concat([legacy.update(secret, 'utf8'), legacy.final()]);
  const value = ['v1', 'k1', iv, legacy.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
  assert.equal(TokenCipher.fromConfig([spec('k1', keyA)]).decrypt(value, row), secret);
});
