// The control API changes anything, so it is reachable only from loopback, or, when EMULATOR_CONTROL_TOKEN
// is set, only with that token (compose puts the emulator behind a network where loopback means nothing).
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { GraphError } from '../http/errors';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function controlGuard(token: string | undefined) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (token) {
      const given = /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1] ?? '';
      const a = Buffer.from(given);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        throw new GraphError(
          401,
          'InvalidAuthenticationToken',
          'The control API needs Authorization: Bearer <EMULATOR_CONTROL_TOKEN>.',
        );
      }
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      throw new GraphError(
        403,
        'ErrorAccessDenied',
        'The control API is loopback-only unless EMULATOR_CONTROL_TOKEN is set.',
      );
    }
    next();
  };
}
