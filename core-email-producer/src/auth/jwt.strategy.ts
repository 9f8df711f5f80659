import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { z } from 'zod';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { SessionsRepository } from './sessions.repository';
import type { SessionUser } from './session-user';

const claims = z.object({ sub: z.string().uuid(), sid: z.string().uuid(), exp: z.number().int() });

/** A token is accepted only if its signature and expiry hold AND its session still exists (not logged out or revoked). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
    private readonly sessions: SessionsRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.env.JWT_SECRET,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: unknown): Promise<SessionUser> {
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw new UnauthorizedException();
    const { sub, sid, exp } = parsed.data;
    if (!(await this.sessions.exists(sub, sid)))
      throw new UnauthorizedException('session expired or revoked');
    return { userId: sub, sessionId: sid, expiresAt: exp * 1000 };
  }
}
