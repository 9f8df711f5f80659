// RS256 JWTs with node:crypto. Small enough not to need a library, and synchronous, which keeps the hot
// Graph path free of promise overhead.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { SigningKey } from '../store/state';

export type Claims = Record<string, unknown>;

const keyCache = new WeakMap<SigningKey, { priv: KeyObject; pub: KeyObject }>();

function keysOf(key: SigningKey): { priv: KeyObject; pub: KeyObject } {
  let k = keyCache.get(key);
  if (!k) {
    k = { priv: createPrivateKey(key.privatePem), pub: createPublicKey(key.publicPem) };
    keyCache.set(key, k);
  }
  return k;
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function signJwt(claims: Claims, key: SigningKey): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid };
  const input = `${b64json(header)}.${b64json(claims)}`;
  const signature = sign('sha256', Buffer.from(input), keysOf(key).priv).toString('base64url');
  return `${input}.${signature}`;
}

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; reason: 'malformed' | 'signature' };

export function verifyJwt(token: string, key: SigningKey): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  let claims: Claims;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Claims;
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Claims;
    if (header.alg !== 'RS256' || typeof claims !== 'object' || claims === null)
      return { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const good = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    keysOf(key).pub,
    Buffer.from(parts[2], 'base64url'),
  );
  return good ? { ok: true, claims } : { ok: false, reason: 'signature' };
}

/** The public key as a JWK for /discovery/v2.0/keys. */
export function publicJwk(key: SigningKey): Record<string, unknown> {
  const jwk = keysOf(key).pub.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n: jwk.n, e: jwk.e };
}
