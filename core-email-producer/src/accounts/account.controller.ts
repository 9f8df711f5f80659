import { Controller, Delete, HttpCode, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ZodBody } from '@core-email/platform';
import { deleteAccountSchema } from '../auth/auth.schemas';
import { CurrentUser } from '../auth/current-user.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import type { SessionUser } from '../auth/session-user';
import { UserThrottlerGuard } from '../auth/throttle-guards';
import { AccountDeletionService } from './account-deletion.service';

/** DELETE /api/me; the rest of /api/me is auth's (MeController). */
@ApiTags('me')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('me')
export class AccountController {
  constructor(private readonly deletion: AccountDeletionService) {}

  @Delete()
  @HttpCode(204)
  @UseGuards(UserThrottlerGuard)
  @ApiOperation({
    summary: 'Delete the account with its tokens, connection and mail; every session ends',
    // The id it had under MeController, which the dashboard's generated API types use.
    operationId: 'MeController_deleteAccount',
  })
  @ApiZodBody(deleteAccountSchema)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 401, description: 'password is wrong' })
  @ApiResponse({ status: 429, description: 'too many attempts for this user; see Retry-After' })
  async deleteAccount(
    @CurrentUser() user: SessionUser,
    @ZodBody(deleteAccountSchema) body: { password: string },
  ): Promise<void> {
    await this.deletion.deleteAccount(user.userId, body.password);
  }
}
