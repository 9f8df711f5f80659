import { Controller, Get, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ZodBody } from '@core-email/platform';
import { SessionView, UserView } from '../users/user.view';
import { ChangePasswordInput, changePasswordSchema } from './auth.schemas';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';
import { UserThrottlerGuard } from './throttle-guards';
import type { SessionUser } from './session-user';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
// DELETE /api/me is the accounts feature's (AccountController): it spans auth and outlook.
@Controller('me')
export class MeController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOperation({ summary: 'Who am I' })
  @ApiResponse({ status: 200, type: UserView })
  @ApiResponse({ status: 401, description: 'no, a forged, an expired or a revoked token' })
  me(@CurrentUser() user: SessionUser): Promise<UserView> {
    return this.auth.me(user.userId);
  }

  @Put('password')
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Change the password; every other session is signed out, this one gets a new token',
  })
  @ApiZodBody(changePasswordSchema)
  @ApiResponse({ status: 200, type: SessionView })
  @ApiResponse({ status: 401, description: 'currentPassword is wrong' })
  @ApiResponse({ status: 429, description: 'too many attempts for this user; see Retry-After' })
  changePassword(
    @CurrentUser() user: SessionUser,
    @ZodBody(changePasswordSchema) body: ChangePasswordInput,
  ): Promise<SessionView> {
    return this.auth.changePassword(user.userId, body);
  }
}
