import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { TooManyRequests } from '@core-email/platform';
import { UsersRepository } from '../users/users.repository';
import { SessionView, SignedUpView, UserView } from '../users/user.view';
import type { ChangePasswordInput, LogInInput, SignUpInput } from './auth.schemas';
import { LogInFailuresRepository } from './log-in-failures.repository';
import { SessionsRepository } from './sessions.repository';
import { SessionTokensService } from './tokens.service';

const BCRYPT_COST = 12;
// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync('not-a-real-password', BCRYPT_COST);

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: SessionTokensService,
    private readonly failures: LogInFailuresRepository,
  ) {}

  async signUp(input: SignUpInput): Promise<SignedUpView> {
    const hash = await bcrypt.hash(input.password, BCRYPT_COST);
    try {
      const user = await this.users.create({
        email: input.email,
        userName: input.userName,
        passwordHash: hash,
      });
      return { user: UserView.of(user) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(['email: is already registered']);
      throw error;
    }
  }

  async logIn(input: LogInInput): Promise<SessionView> {
    const wait = await this.failures.lockedFor(input.email);
    if (wait > 0) throw new TooManyRequests('too many failed log-ins for this account', wait);
    const user = await this.users.findByEmail(input.email);
    const ok = await bcrypt.compare(input.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.failures.recordFailure(input.email);
      throw new UnauthorizedException('wrong email or password');
    }
    await this.failures.clear(input.email);
    await this.users.touchLastLogin(user.id);
    const { issued, sessionId } = await this.tokens.open(user.id);
    // A password change that landed while the old password was being checked must not leave this session
    // alive: its revocation may have run before the session existed. Read again once the session exists.
    if ((await this.users.findById(user.id))?.passwordHash !== user.passwordHash) {
      await this.sessions.revoke(sessionId);
      throw new UnauthorizedException('wrong email or password');
    }
    return { ...issued, user: UserView.of({ ...user, lastLogin: new Date() }) };
  }

  async logOut(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedException('account no longer exists');
    return UserView.of(user);
  }

  /** Changes the password and signs out every other session; the caller gets a fresh one. */
  async changePassword(userId: string, input: ChangePasswordInput): Promise<SessionView> {
    const user = await this.verifyPassword(userId, input.currentPassword, 'currentPassword');
    await this.users.updatePassword(userId, await bcrypt.hash(input.newPassword, BCRYPT_COST));
    await this.sessions.revokeAll(userId);
    const { issued } = await this.tokens.open(userId);
    return { ...issued, user: UserView.of(user) };
  }

  /** The user row (and with it everything the database keeps of them) goes, and every session ends. */
  async forget(userId: string): Promise<void> {
    await this.users.delete(userId);
    await this.sessions.revokeAll(userId);
  }

  /** The user, if `password` is theirs; otherwise a 401 naming `field`. */
  async verifyPassword(userId: string, password: string, field: string) {
    const user = await this.users.findById(userId);
    if (!user) throw new UnauthorizedException('account no longer exists');
    if (!(await bcrypt.compare(password, user.passwordHash))) {
      throw new UnauthorizedException(`${field}: is wrong`);
    }
    return user;
  }
}
