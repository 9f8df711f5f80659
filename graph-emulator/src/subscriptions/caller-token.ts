// What a subscription request's bearer token says about itself. graphAuth has verified the token already;
// this only reads the expiry Graph ties reauthorization to, and the id format the request asked for.
import type { Request } from 'express';
import type { SubscriptionRecord } from '../store/types';

/** Expiry (epoch ms) of the request's access token; `fallbackMs` if it cannot be read. */
export function accessTokenExpiry(req: Request, fallbackMs: number): number {
  const token = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
  try {
    const claims = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : fallbackMs;
  } catch {
    return fallbackMs;
  }
}

/** Only POST /subscriptions with Prefer: IdType="ImmutableId" gets immutable ids in its notifications. */
export function requestedIdType(req: Request): SubscriptionRecord['idType'] {
  return /IdType\s*=\s*"?ImmutableId"?/i.test(req.header('prefer') ?? '') ? 'immutable' : 'default';
}
