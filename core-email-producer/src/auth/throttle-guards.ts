import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { SessionUser } from './session-user';

/**
 * Password checks of a signed-in user (change password, delete account) counted per user: a stolen session
 * must not become an unlimited password oracle, nor keep bcrypt's thread pool busy for everyone.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `user:${(req.user as SessionUser).userId}`;
  }
}
