import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { UsersRepository } from '../users/users.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { MeController } from './me.controller';
import { SessionsRepository } from './sessions.repository';
import { DeadlineThrottlerStorage } from './throttler-storage';
import { LogInFailuresRepository } from './log-in-failures.repository';
import { SessionTokensService } from './tokens.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [PRODUCER_CONFIG],
      useFactory: (config: ProducerConfig) => ({
        secret: config.env.JWT_SECRET,
        signOptions: { algorithm: 'HS256' },
      }),
    }),
    // Counted in the Redis cluster, so the limit holds across producer replicas; Redis down is a 503.
    ThrottlerModule.forRootAsync({
      inject: [PRODUCER_CONFIG, REDIS_CLUSTER],
      useFactory: (config: ProducerConfig, redis: Cluster) => ({
        throttlers: [
          {
            // 'default' so the answer carries a plain Retry-After header. Used by sign-up and log-in (per address; failed
            // log-ins are also counted per account, by LogInFailuresRepository) and by the password checks of a signed-in user (per user).
            name: 'default',
            limit: config.env.THROTTLE_AUTH_LIMIT,
            ttl: config.env.THROTTLE_AUTH_TTL_SECONDS * 1000,
          },
        ],
        storage: new DeadlineThrottlerStorage(redis, config.env.REDIS_TIMEOUT_MS),
      }),
    }),
  ],
  controllers: [AuthController, MeController],
  providers: [
    AuthService,
    SessionsRepository,
    LogInFailuresRepository,
    SessionTokensService,
    JwtStrategy,
    JwtAuthGuard,
    UsersRepository,
  ],
  exports: [AuthService, JwtAuthGuard, SessionsRepository],
})
export class AuthModule {}
