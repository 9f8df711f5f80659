import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { SessionsRepository } from './sessions.repository';

export interface IssuedSession {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Opens sessions: a server-side session in Redis plus a signed JWT naming it. */
@Injectable()
export class SessionTokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionsRepository,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {}

  /** The token for the caller, and the session's id (never sent: the token names it). */
  async open(userId: string): Promise<{ issued: IssuedSession; sessionId: string }> {
    const ttl = this.config.env.JWT_TTL_SECONDS;
    const sid = await this.sessions.create(userId, ttl);
    const accessToken = await this.jwt.signAsync({ sub: userId, sid }, { expiresIn: ttl });
    return { issued: { accessToken, tokenType: 'Bearer', expiresIn: ttl }, sessionId: sid };
  }
}
