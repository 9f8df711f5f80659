// What a subscription request's bearer token says about itself. graphAuth has verified the token already;
// this only reads the expiry Graph ties reauthorization to.
import type { Request } from 'express';

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
