import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A value that cannot be decrypted: unknown key id, wrong key, tampered or malformed. Never retried. */
export class TokenDecryptError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt token value: ${reason}`);
    this.name = 'TokenDecryptError';
  }
}

const VERSION = 'v2';
/** Values written before they were bound to their row: still read, rewritten by the next token refresh. */
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;

/** Where a token value lives: a value moved to another row or column no longer decrypts. */
export function tokenBinding(userId: string, column: 'access_token' | 'token_cache'): string {
  return `outlook_accounts.${column}:${userId}`;
}

/**
 * AES-256-GCM for tokens at rest. Each value names the key that encrypted it
 * (`v2.<keyId>.<iv>.<tag>.<ciphertext>`, base64url), so a new active key can be introduced while rows
 * written under older keys still decrypt: rotation is "add a key, make it active, re-encrypt lazily". The
 * version, the key id and where the value belongs (`boundTo`, e.g. tokenBinding) are authenticated: with
 * write access to the database, one user's tokens cannot be copied into another user's row.
 */
export class TokenCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: Map<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    for (const [id, key] of keys) {
      if (key.length !== 32) throw new Error(`token key ${id} must be 32 bytes`);
    }
    if (!keys.has(activeKeyId)) throw new Error(`the active token key ${activeKeyId} is not in the key ring`);
    this.keys = new Map(keys);
  }

  /** From TOKEN_ENCRYPTION_KEYS (`keyId:base64,...`) and TOKEN_ENCRYPTION_ACTIVE_KEY_ID (default: the first). */
  static fromConfig(keySpecs: string[], activeKeyId?: string): TokenCipher {
    const keys = new Map<string, Buffer>();
    for (const spec of keySpecs) {
      const i = spec.indexOf(':');
      keys.set(spec.slice(0, i), Buffer.from(spec.slice(i + 1), 'base64'));
    }
    const first = keySpecs[0]?.slice(0, keySpecs[0].indexOf(':'));
    return new TokenCipher(keys, activeKeyId ?? first);
  }

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.activeKeyId}.${boundTo}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.activeKeyId, b64(iv), b64(tag), b64(ciphertext)].join('.');
  }

  decrypt(value: string, boundTo: string): string {
    const parts = value.split('.');
    const [version, keyId, iv, tag, ciphertext] = parts;
    if (parts.length !== 5 || (version !== VERSION && version !== LEGACY_VERSION)) {
      throw new TokenDecryptError('unknown format');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new TokenDecryptError(`unknown key id ${keyId}`);
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
      throw new TokenDecryptError('bad iv or tag');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, ivBytes);
      decipher.setAAD(
        Buffer.from(version === VERSION ? `${VERSION}.${keyId}.${boundTo}` : `${version}.${keyId}`),
      );
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new TokenDecryptError(`authentication failed under key ${keyId}`);
    }
  }
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
