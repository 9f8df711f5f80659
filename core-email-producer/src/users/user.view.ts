import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from '@core-email/platform';

/** What the API shows of a user: never the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() userName!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null before the first log-in',
  })
  lastLogin!: string | null;

  static of(user: UserEntity): UserView {
    return {
      id: user.id,
      email: user.email,
      userName: user.userName,
      createdAt: new Date(user.createdAt).toISOString(),
      lastLogin: user.lastLogin ? new Date(user.lastLogin).toISOString() : null,
    };
  }
}

export class SessionView {
  @ApiProperty({ description: 'Bearer token bound to a server-side session' }) accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds until the session expires' }) expiresIn!: number;
  @ApiProperty({ type: UserView }) user!: UserView;
}

export class SignedUpView {
  @ApiProperty({ type: UserView }) user!: UserView;
}
